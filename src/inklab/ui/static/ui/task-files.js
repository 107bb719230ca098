// What the browser checks about the files of a new task before anything is created on the server:
// that there is something to upload, that no file is empty, that each is an image, a video or an
// archive the server reads, and that videos are not mixed with other files. The server checks
// everything again (and the content); these checks spare an upload that is bound to fail.

/** Extensions of the images the server decodes (as the server's IMAGE_EXTENSIONS). */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm",
  ".ppm", ".pbm", ".jfif"];
/** Extensions of the videos the server decodes (as the server's VIDEO_EXTENSIONS). */
export const VIDEO_EXTENSIONS = [".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpeg", ".mpg", ".m4v", ".wmv", ".flv"];
/** Archives the server unpacks (their members are checked there). */
export const ARCHIVE_SUFFIXES = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz"];

/** @param {string} name @param {string[]} suffixes */
const endsWithAny = (name, suffixes) => suffixes.some((s) => name.toLowerCase().endsWith(s));

/**
 * The kind of a file by its name: "image", "video", "archive", or null for anything else.
 * @param {{name: string}} file
 * @returns {"image" | "video" | "archive" | null}
 */
export function fileKind(file) {
  if (endsWithAny(file.name, IMAGE_EXTENSIONS)) return "image";
  if (endsWithAny(file.name, VIDEO_EXTENSIONS)) return "video";
  if (endsWithAny(file.name, ARCHIVE_SUFFIXES)) return "archive";
  return null;
}

/**
 * The problems of a choice of files for a new task, each a sentence naming the file; empty when fine.
 * @param {{name: string, size: number}[]} files
 * @returns {string[]}
 */
export function checkTaskFiles(files) {
  if (!files.length) return ["Add the images (or a video, or an archive) to annotate."];
  const problems = [];
  for (const file of files) {
    if (fileKind(file) === null) {
      problems.push(`“${file.name}” is neither an image, a video nor an archive (zip, tar).`);
    } else if (file.size === 0) {
      problems.push(`“${file.name}” is empty.`);
    }
  }
  const videos = files.filter((f) => fileKind(f) === "video");
  if (videos.length > 1) problems.push("A task holds one video; choose one of them.");
  else if (videos.length === 1 && files.length > 1) problems.push("A task holds either one video or images, not both.");
  return problems;
}
