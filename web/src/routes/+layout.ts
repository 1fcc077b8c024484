// The app renders in the browser only: every page is data from the API, fetched with the session cookie,
// and the server stays free of a second rendering path. The shell HTML is the same for every route.
export const ssr = false;
export const prerender = false;
