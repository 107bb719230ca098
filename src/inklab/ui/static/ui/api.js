// The REST client of the web UI: the only module that talks to the server.
//
// It speaks the public API the SDK uses (CVAT REST API v2): session cookie after
// /api/auth/login, the CSRF token echoed in X-CSRFToken on unsafe methods, JSON bodies,
// page-number pagination, background requests polled at /api/requests/{id}, the CVAT
// upload protocol for task data (Upload-Start / Upload-Multiple / Upload-Finish) and TUS
// for large files and for imports.

/** Multipart batches stay under this many bytes (as the SDK does); larger files go through TUS. */
export const MAX_REQUEST_SIZE = 100 * 1024 * 1024;
/** Bytes per TUS PATCH request. */
export const TUS_CHUNK_SIZE = 10 * 1024 * 1024;

/**
 * @typedef {{count: number, next: string | null, previous: string | null, results: any[]}} Page
 * @typedef {(fraction: number, message?: string) => void} ProgressFn
 * @typedef {{query?: Record<string, any>, json?: any, body?: BodyInit, headers?: Record<string, string>,
 *            signal?: AbortSignal, raw?: boolean, org?: string | null}} RequestOptions
 *   ``org``: the organization context of this one request (a slug, "" for the personal
 *   workspace, null for none: everything the user can see); the client's ``organization`` by default
 * @typedef {{id: string, status: string, message: string, progress: number | null,
 *            result_url: string | null, result_id: number | null}} BackgroundRequest
 */

/** An HTTP error answer (or a failed background request) with a readable message. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 for network errors)
   * @param {any} body the parsed error body, if any
   * @param {string} message
   */
  constructor(status, body, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

/**
 * Turn a CVAT error body ({"detail": "..."}, DRF field errors, lists) into one sentence.
 * @param {any} body
 * @param {number} status
 * @returns {string}
 */
export function errorMessage(body, status) {
  /** @param {any} value @param {string} prefix @returns {string[]} */
  const walk = (value, prefix) => {
    if (value === null || value === undefined) return [];
    if (typeof value === "string") return [prefix ? `${prefix}: ${value}` : value];
    if (Array.isArray(value)) return value.flatMap((item) => walk(item, prefix));
    if (typeof value === "object") {
      return Object.entries(value).flatMap(([key, item]) => {
        const name = key === "detail" || key === "non_field_errors" ? prefix : (prefix ? `${prefix}.${key}` : key);
        return walk(item, name);
      });
    }
    return [String(value)];
  };
  const parts = walk(body, "");
  if (parts.length) return parts.join(" ");
  return status ? `The server answered ${status}.` : "The server cannot be reached.";
}

/** @param {string} name @returns {string} */
function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/**
 * @param {string} path
 * @param {Record<string, any> | undefined} query
 * @returns {string}
 */
function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, typeof value === "boolean" ? (value ? "True" : "False") : String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

/** @param {number} ms @returns {Promise<void>} */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The REST client. One instance per page. */
export class Api {
  /** @param {string} [base] URL prefix of the server ("" for the same origin) */
  constructor(base = "") {
    this.base = base;
    /** Interval between polls of background requests, in ms. */
    this.pollInterval = 500;
    /** @type {((error: ApiError) => void) | null} called on 401 answers (session expired) */
    this.onUnauthorized = null;
    /**
     * The organization context sent with every request as ``X-Organization``: a slug, "" for
     * the personal workspace, or null for no context ("everything I can see").
     * @type {string | null}
     */
    this.organization = null;
  }

  /**
   * The ``X-Organization`` header of a request (none when the context is null).
   * @param {string | null | undefined} [org] this request's context; the client's by default
   * @returns {Record<string, string>}
   */
  orgHeaders(org) {
    const slug = org === undefined ? this.organization : org;
    return slug === null ? {} : { "X-Organization": slug };
  }

  /** @returns {Record<string, string>} */
  csrfHeaders() {
    const token = cookie("csrftoken");
    return token ? { "X-CSRFToken": token } : {};
  }

  /**
   * Send a request; returns the parsed JSON body (null for empty bodies), or the Response
   * itself with ``raw``. Throws ApiError for 4xx/5xx and network failures.
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, options = {}) {
    const headers = { Accept: "application/json", ...this.orgHeaders(options.org), ...(options.headers || {}) };
    if (!["GET", "HEAD"].includes(method)) Object.assign(headers, this.csrfHeaders());
    let body = options.body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    let response;
    try {
      response = await fetch(this.base + withQuery(path, options.query), {
        method, headers, body, credentials: "same-origin", signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, null, "The server cannot be reached. Check your connection and try again.");
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text.slice(0, 300);
      }
      const error = new ApiError(response.status, parsed, errorMessage(parsed, response.status));
      if (response.status === 401 && this.onUnauthorized) this.onUnauthorized(error);
      throw error;
    }
    if (options.raw) return response;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** @param {string} path @param {Record<string, any>} [query] @param {AbortSignal} [signal] */
  get(path, query, signal) {
    return this.request("GET", path, { query, signal });
  }

  /** @param {string} path @param {any} [json] @param {Record<string, any>} [query] */
  post(path, json, query) {
    return this.request("POST", path, { json: json ?? {}, query });
  }

  /** @param {string} path @param {any} json @param {Record<string, any>} [query] */
  patch(path, json, query) {
    return this.request("PATCH", path, { json, query });
  }

  /** @param {string} path */
  delete(path) {
    return this.request("DELETE", path);
  }

  /**
   * Every item of a paginated collection (pages of 500).
   * @param {string} path
   * @param {Record<string, any>} [query]
   * @param {{org?: string | null}} [options] ``org``: the organization context (see RequestOptions)
   * @returns {Promise<any[]>}
   */
  async listAll(path, query = {}, options = {}) {
    const items = [];
    for (let page = 1; ; page += 1) {
      /** @type {Page} */
      const body = await this.request("GET", path, { query: { ...query, page, page_size: 500 }, org: options.org });
      items.push(...body.results);
      if (!body.next) return items;
    }
  }

  // --- session -----------------------------------------------------------------------

  /** @returns {Promise<any | null>} the signed-in user, or null */
  async currentUser() {
    try {
      return await this.request("GET", "/api/users/self");
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
      throw error;
    }
  }

  /**
   * Sign in with a user name (or an email address) and a password.
   * @param {string} login
   * @param {string} password
   */
  async login(login, password) {
    const json = login.includes("@") ? { email: login, password } : { username: login, password };
    await this.request("POST", "/api/auth/login", { json });
    return this.request("GET", "/api/users/self");
  }

  /** @param {{username: string, email: string, password1: string, password2: string,
   *           first_name?: string, last_name?: string}} data */
  async register(data) {
    await this.request("POST", "/api/auth/register", { json: data });
    return this.request("GET", "/api/users/self");
  }

  logout() {
    return this.request("POST", "/api/auth/logout", { json: {} });
  }

  // --- media -------------------------------------------------------------------------

  /**
   * A job frame decoded for drawing.
   * @param {number} jobId
   * @param {number} frame task frame number
   * @param {AbortSignal} [signal]
   * @returns {Promise<ImageBitmap>}
   */
  async frameBitmap(jobId, frame, signal) {
    const response = await this.request("GET", `/api/jobs/${jobId}/data`, {
      query: { type: "frame", number: frame, quality: "compressed" }, signal, raw: true,
      headers: { Accept: "*/*" },
    });
    return createImageBitmap(await response.blob());
  }

  /**
   * A job's zip chunk of compressed frames (job-relative ``index``).
   * @param {number} jobId
   * @param {number} index
   * @param {AbortSignal} [signal]
   * @returns {Promise<Blob>}
   */
  async jobChunk(jobId, index, signal) {
    const response = await this.request("GET", `/api/jobs/${jobId}/data`, {
      query: { type: "chunk", index, quality: "compressed" }, signal, raw: true,
      headers: { Accept: "*/*" },
    });
    return response.blob();
  }

  // --- background requests -----------------------------------------------------------

  /**
   * Poll a background request until it finishes; throws ApiError with its message if it fails.
   * @param {string} rqId
   * @param {ProgressFn} [onProgress]
   * @returns {Promise<BackgroundRequest>}
   */
  async waitForRequest(rqId, onProgress) {
    for (;;) {
      /** @type {BackgroundRequest} */
      const rq = await this.get(`/api/requests/${encodeURIComponent(rqId)}`);
      if (rq.status === "finished") {
        onProgress?.(1, rq.message);
        return rq;
      }
      if (rq.status === "failed") throw new ApiError(0, rq, rq.message || "The operation failed on the server.");
      onProgress?.(rq.progress ?? 0, rq.message || rq.status);
      await sleep(this.pollInterval);
    }
  }

  // --- uploads -----------------------------------------------------------------------

  /**
   * POST a multipart form with upload progress (fetch cannot report it; XMLHttpRequest can).
   * @param {string} path
   * @param {FormData} form
   * @param {Record<string, string>} headers
   * @param {(loaded: number) => void} onBytes
   * @returns {Promise<void>}
   */
  postForm(path, form, headers, onBytes) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", this.base + path);
      xhr.withCredentials = true;
      for (const [key, value] of Object.entries({ Accept: "application/json", ...this.orgHeaders(), ...this.csrfHeaders(), ...headers })) {
        xhr.setRequestHeader(key, value);
      }
      xhr.upload.onprogress = (event) => onBytes(event.loaded);
      xhr.onerror = () => reject(new ApiError(0, null, "The upload was interrupted: the server cannot be reached."));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve();
          return;
        }
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = xhr.responseText.slice(0, 300);
        }
        reject(new ApiError(xhr.status, body, errorMessage(body, xhr.status)));
      };
      xhr.send(form);
    });
  }

  /**
   * Upload one file with TUS to a collection URL; returns the name the server stored it under.
   * @param {string} collection path ending with "/"
   * @param {File} file
   * @param {(loaded: number) => void} onBytes
   * @returns {Promise<string>}
   */
  async tusUpload(collection, file, onBytes) {
    const metadata = `filename ${btoa(unescape(encodeURIComponent(file.name)))}`;
    const created = await this.request("POST", collection, {
      raw: true, json: {},
      headers: { "Tus-Resumable": "1.0.0", "Upload-Length": String(file.size), "Upload-Metadata": metadata },
    });
    const location = created.headers.get("Location");
    const stored = created.headers.get("Upload-Filename") || file.name;
    if (!location) throw new ApiError(created.status, null, "The server did not say where to upload the file.");
    let offset = 0;
    do {
      const piece = file.slice(offset, offset + TUS_CHUNK_SIZE);
      const response = await this.request("PATCH", new URL(location, window.location.href).pathname, {
        raw: true, body: piece,
        headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": String(offset),
          "Content-Type": "application/offset+octet-stream" },
      });
      offset = Number(response.headers.get("Upload-Offset") ?? offset + piece.size);
      onBytes(offset);
    } while (offset < file.size);
    return stored;
  }

  /**
   * Attach files to a new task with the CVAT upload protocol and wait for the frames.
   *
   * Files go in multipart batches of at most MAX_REQUEST_SIZE bytes; bigger files by TUS.
   * ``onProgress`` gets the upload fraction first, then the processing fraction.
   * @param {number} taskId
   * @param {File[]} files
   * @param {Record<string, any>} params data parameters (image_quality, sorting_method, ...)
   * @param {(phase: "upload" | "processing", fraction: number, message?: string) => void} onProgress
   * @returns {Promise<BackgroundRequest>}
   */
  async uploadTaskData(taskId, files, params, onProgress) {
    const path = `/api/tasks/${taskId}/data/`;
    const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
    let done = 0;
    await this.request("POST", path, { json: {}, headers: { "Upload-Start": "" } });
    const small = files.filter((f) => f.size <= MAX_REQUEST_SIZE);
    const large = files.filter((f) => f.size > MAX_REQUEST_SIZE);
    /** @type {File[][]} */
    const batches = [];
    let batch = [];
    let batchBytes = 0;
    for (const file of small) {
      if (batch.length && batchBytes + file.size > MAX_REQUEST_SIZE) {
        batches.push(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push(file);
      batchBytes += file.size;
    }
    if (batch.length) batches.push(batch);
    for (const group of batches) {
      const form = new FormData();
      form.set("image_quality", String(params.image_quality ?? 70));
      group.forEach((file, i) => form.append(`client_files[${i}]`, file, file.name));
      const before = done;
      await this.postForm(path, form, { "Upload-Multiple": "" },
        (loaded) => onProgress("upload", Math.min(1, (before + loaded) / total)));
      done = before + group.reduce((sum, f) => sum + f.size, 0);
    }
    for (const file of large) {
      const before = done;
      await this.tusUpload(path, file, (loaded) => onProgress("upload", (before + loaded) / total));
      done = before + file.size;
    }
    onProgress("upload", 1);
    const body = { ...params };
    if (body.sorting_method === "predefined") body.upload_file_order = files.map((f) => f.name);
    const { rq_id: rqId } = await this.request("POST", path, { json: body, headers: { "Upload-Finish": "" } });
    return this.waitForRequest(rqId, (fraction, message) => onProgress("processing", fraction, message));
  }

  // --- export, import, backup --------------------------------------------------------

  /**
   * Start an export (``/api/{kind}s/{id}/dataset/export`` or ``.../backup/export``), wait for
   * it and return the URL to download the result from.
   * @param {string} path e.g. "/api/tasks/3/dataset/export"
   * @param {Record<string, any>} query e.g. {format: "COCO 1.0", save_images: true}
   * @param {ProgressFn} [onProgress]
   * @returns {Promise<string>}
   */
  async exportFile(path, query, onProgress) {
    const started = await this.request("POST", path, { json: {}, query: { location: "local", ...query } });
    const rq = await this.waitForRequest(started.rq_id, onProgress);
    if (!rq.result_url) throw new ApiError(0, rq, "The export finished without a file to download.");
    return rq.result_url;
  }

  /**
   * Import a file with the CVAT import flow: Upload-Start, TUS upload, Upload-Finish, wait.
   * @param {string} endpoint e.g. "/api/tasks/3/annotations/" or "/api/tasks/backup/"
   * @param {Record<string, any>} query e.g. {format: "CVAT 1.1"}
   * @param {File} file
   * @param {(phase: "upload" | "processing", fraction: number, message?: string) => void} onProgress
   * @returns {Promise<BackgroundRequest>}
   */
  async importFile(endpoint, query, file, onProgress) {
    await this.request("POST", endpoint, { json: {}, query: { ...query, filename: file.name },
      headers: { "Upload-Start": "" } });
    const stored = await this.tusUpload(endpoint, file, (loaded) => onProgress("upload", loaded / (file.size || 1)));
    onProgress("upload", 1);
    const finished = await this.request("POST", endpoint, { json: {}, query: { ...query, filename: stored },
      headers: { "Upload-Finish": "" } });
    return this.waitForRequest(finished.rq_id, (fraction, message) => onProgress("processing", fraction, message));
  }
}
