// The bytes of local media, in MongoDB GridFS (bucket "media"): one database holds everything an
// instance keeps, so a backup of it is a backup of the uploads too.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, type Db, type ObjectId } from 'mongodb';

export class MediaFiles {
  private readonly bucket: GridFSBucket;

  constructor(db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: 'media' });
  }

  /** Stores bytes; returns their GridFS id. */
  async put(bytes: Buffer, name: string, contentType: string): Promise<ObjectId> {
    const upload = this.bucket.openUploadStream(name, { metadata: { contentType } });
    await pipeline(Readable.from([bytes]), upload);
    return upload.id;
  }

  /** A stream of the bytes from `start` up to, not including, `end` (the whole file without them). */
  open(id: ObjectId, range?: { start: number; end: number }): Readable {
    return this.bucket.openDownloadStream(id, range);
  }

  /** Removes stored bytes; a file already gone is no error. */
  async remove(id: ObjectId): Promise<void> {
    try {
      await this.bucket.delete(id);
    } catch (error) {
      if (!(error instanceof Error && /not found/i.test(error.message))) throw error;
    }
  }
}
