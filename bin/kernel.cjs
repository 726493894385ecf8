/**
 * Kept for kernel specs registered before the kernel moved to tools/notebook/: the launcher
 * copied beside such a spec loads `<lab>/bin/kernel.cjs`. `npm run kernels` (and `npm ci`)
 * copy the new launcher; `npm run kernels -- --user` for the user's folder.
 */
"use strict";
module.exports = require("../tools/notebook/kernel.cjs");
