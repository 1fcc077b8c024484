// Ambient types for the app (SvelteKit reads App.* interfaces from here when needed).
export {};
