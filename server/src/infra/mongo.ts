import { MongoClient, type Db } from 'mongodb';

/** Connects to MongoDB and returns this instance's database (one database per instance). */
export async function connectMongo(url: string, database: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(url, {
    // The stand-in and real MongoDB both accept these; fail fast at boot instead of hanging.
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 50,
  });
  await client.connect();
  return { client, db: client.db(database) };
}

/** Whether an error is MongoDB's duplicate-key error (a unique index said no). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
