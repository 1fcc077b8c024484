// What an upload is, from its bytes alone: the name and the client's content type are never asked,
// so a program renamed "report.pdf" is still a program. Executables are refused with their own message.
import { fileTypeFromBuffer } from 'file-type';
import { Invalid } from '../shared/errors.ts';

/** Image formats sharp decodes here (its prebuilt libvips reads AVIF but not HEIC). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

export type SniffedContent =
  | { kind: 'image'; format: ImageFormat; contentType: string }
  | { kind: 'file'; contentType: string; extension: string };

const IMAGES: Record<string, ImageFormat> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'image/avif': 'avif' };

/** Office documents stored as they are, by the type file-type reports. */
const DOCUMENTS: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

const EXECUTABLES: Record<string, string> = {
  elf: 'an ELF (Linux) program',
  exe: 'a Windows program',
  macho: 'a macOS program',
  dex: 'an Android program',
  wasm: 'a WebAssembly program',
  class: 'a Java program',
};

/** Every content type an upload may have (the instance entity advertises them). */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [...Object.keys(IMAGES), ...Object.keys(DOCUMENTS), 'text/plain'];

export const ACCEPTED_KINDS = 'images (JPEG, PNG, WebP, GIF, AVIF), PDF, Word, Excel, PowerPoint, OpenDocument, plain text and CSV';

/** The content's type, or Invalid (422) with a message saying why it is refused. */
export async function sniffContent(bytes: Buffer): Promise<SniffedContent> {
  if (bytes.length === 0) throw new Invalid('Validation failed: The file is empty');
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    throw new Invalid('Validation failed: Executable files are not allowed (the content is a script starting with "#!", whatever its name)');
  }
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    const executable = EXECUTABLES[detected.ext];
    if (executable) throw new Invalid(`Validation failed: Executable files are not allowed (the content is ${executable}, whatever its name)`);
    const format = IMAGES[detected.mime];
    if (format) return { kind: 'image', format, contentType: detected.mime };
    const extension = DOCUMENTS[detected.mime];
    if (extension) return { kind: 'file', contentType: detected.mime, extension };
    if (detected.ext === 'heic') throw new Invalid('Validation failed: HEIC images are not supported here; please share it as JPEG');
    throw new Invalid(`Validation failed: This type of file (${detected.ext}) is not accepted; accepted are ${ACCEPTED_KINDS}`);
  }
  if (isText(bytes)) return { kind: 'file', contentType: 'text/plain; charset=utf-8', extension: 'txt' };
  throw new Invalid(`Validation failed: This type of file is not recognized; accepted are ${ACCEPTED_KINDS}`);
}

// Plain text (and CSV): valid UTF-8 without NUL or other control bytes than tab, CR, LF and form feed.
function isText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  }
  return true;
}
