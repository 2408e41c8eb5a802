// The bare page's script for bench/hr_extract.py: times one chosen file through the real worker
// (read, distinct values, counts) and the floor (read and decode, or unzip, only).
window.measure = (setup) => new Promise((resolve, reject) => {
  const file = document.getElementById("file").files[0];
  const worker = new Worker("/worker.js");
  let longest = 0, last = performance.now();
  const ticker = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last - 10); last = now; }, 10);
  const started = performance.now();
  const times = {};
  worker.onerror = (e) => reject(String(e.message));
  worker.onmessage = ({ data }) => {
    if (data.type === "error") { reject(data.message); return; }
    if (data.type === "read-done") {
      times.read = performance.now() - started;
      const columns = { staff: data.extracts.staff.proposed };
      setup.columns = columns;
      worker.postMessage({ type: "distinct", columns });
    } else if (data.type === "distinct-done") {
      const values = { ethnicity: {}, service: {} };
      for (const kind of ["ethnicity", "service"]) {
        const known = kind === "ethnicity" ? setup.vocabulary.ethnicity : setup.vocabulary.services;
        for (const v of data.values[kind]) if (known[v.value] === undefined) values[kind][v.value] = kind === "service" ? "adults" : "unknown";
      }
      worker.postMessage({ type: "count", columns: setup.columns, values, round: setup.round });
    } else if (data.type === "counted") {
      clearInterval(ticker);
      const total = performance.now() - started;
      worker.terminate();
      resolve({ total, read: times.read, rows: data.stats.staff.rows, counted: data.stats.staff.counted, longest });
    }
  };
  worker.postMessage({ type: "setup", vocabulary: setup.vocabulary });
  worker.postMessage({ type: "read", files: { staff: file } });
});
// The floor for a workbook: inflating every compressed member with the inflater the reader uses (the
// browser's DecompressionStream), each in one piece, found from the zip's central directory.
const INFLATE_ALL = `onmessage = async ({ data }) => {
  const t = performance.now();
  const b = new Uint8Array(await data.arrayBuffer());
  const u16 = (o) => b[o] | (b[o + 1] << 8), u32 = (o) => (u16(o) | (u16(o + 2) << 16)) >>> 0;
  let end = b.length - 22;
  while (u32(end) !== 0x06054b50) end -= 1;
  let at = u32(end + 16);
  for (let n = u16(end + 10); n > 0; n -= 1) {
    const local = u32(at + 42), compressed = u32(at + 20);
    if (u16(at + 10) === 8) {
      const start = local + 30 + u16(local + 26) + u16(local + 28);
      const stream = new Blob([b.subarray(start, start + compressed)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      await new Response(stream).arrayBuffer();
    }
    at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32);
  }
  postMessage(performance.now() - t);
}`;
window.floor = (kind) => new Promise((resolve, reject) => {
  const file = document.getElementById("file").files[0];
  const source = kind === "xlsx"
    ? INFLATE_ALL
    : "onmessage = async ({data}) => { const t = performance.now(); new TextDecoder().decode(await data.arrayBuffer()); postMessage(performance.now() - t); }";
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  const started = performance.now();
  worker.onmessage = () => { resolve(performance.now() - started); worker.terminate(); };
  worker.onerror = (e) => reject(String(e.message));
  worker.postMessage(file);
});
