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
window.floor = (kind) => new Promise((resolve, reject) => {
  const file = document.getElementById("file").files[0];
  const source = kind === "xlsx"
    ? "importScripts('" + location.origin + "/fflate.js'); onmessage = async ({data}) => { const t = performance.now(); const b = new Uint8Array(await data.arrayBuffer()); fflate.unzipSync(b); postMessage(performance.now() - t); }"
    : "onmessage = async ({data}) => { const t = performance.now(); new TextDecoder().decode(await data.arrayBuffer()); postMessage(performance.now() - t); }";
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  const started = performance.now();
  worker.onmessage = () => { resolve(performance.now() - started); worker.terminate(); };
  worker.onerror = (e) => reject(String(e.message));
  worker.postMessage(file);
});
