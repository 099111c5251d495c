/**
 * A CSV file sent as `text/csv` to a batch endpoint, with upload progress (XMLHttpRequest: fetch
 * reports none). The server applies every row or none; a refusal names each row at fault
 * (`/rows/3/quantity`, rows numbered as a spreadsheet shows them), which `rowErrors` reads.
 */
import { ApiError, csrfHeaders, problemError } from '../api/client';

export type CsvTarget = '/v1/inventory/adjustments/batch' | '/v1/variants/batch';

export interface UploadProgress {
  /** 0–1 of the file sent; then the server applies it. */
  sent: number;
  phase: 'uploading' | 'applying';
}

export function uploadCsv<T>(
  target: CsvTarget,
  file: Blob,
  onProgress: (progress: UploadProgress) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', target);
    request.withCredentials = true;
    request.setRequestHeader('Content-Type', 'text/csv; charset=utf-8');
    request.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(csrfHeaders())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ sent: event.loaded / event.total, phase: 'uploading' });
    };
    request.upload.onload = () => onProgress({ sent: 1, phase: 'applying' });
    request.onerror = () =>
      reject(
        new ApiError(0, 'network', 'Cannot reach the server. Check that it is running and your connection.'),
      );
    request.onload = () => {
      let body: unknown = null;
      try {
        body = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else reject(problemError(request.status, body));
    };
    onProgress({ sent: 0, phase: 'uploading' });
    request.send(file);
  });
}

export interface RowError {
  /** The row as a spreadsheet numbers it (the header is row 1); null: about the whole file. */
  row: number | null;
  column: string | null;
  message: string;
}

/** The rows a refusal names, in row order (`/rows/4/backorder.limit` → row 4, column backorder.limit). */
export function rowErrors(error: unknown): RowError[] {
  if (!(error instanceof ApiError)) return [];
  return error.fields
    .map((field) => {
      const match = /^\/rows\/(\d+)(?:\/(.+))?$/.exec(field.path ?? '');
      return {
        row: match ? Number(match[1]) : null,
        column: match?.[2] ?? (match ? null : (field.path ?? null)),
        message: field.message ?? 'is not valid',
      };
    })
    .sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}

/** Data rows of a CSV text (lines that are not blank, minus the header): for the summary before sending. */
export function countRows(text: string): number {
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
  return Math.max(0, lines.length - 1);
}
