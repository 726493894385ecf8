/**
 * Registers the two notebook kernels of this lab, tslab and Deno:
 *
 *   npm run kernels             inside the repository: <repo>/.jupyter/share/jupyter/kernels
 *                               (git-ignored; Jupyter finds it through JUPYTER_PATH)
 *   npm run kernels -- --user   also in your user's Jupyter folder, for a VS Code or
 *                               Jupyter started from the desktop without JUPYTER_PATH
 */
import path from "node:path";
import { runCommand } from "../tools/cli";
import { kernelNames, registerKernels, repoJupyterPath, userJupyterDataDir } from "../tools/notebook/kernels";

const command = {
  run: "npm run kernels",
  usage: "usage: npm run kernels [-- --user]   (--user: also in your user's Jupyter folder)",
  options: { user: { type: "boolean" } },
} as const;

runCommand(command, ({ values }) => {
  const targets = values.user ? [repoJupyterPath, userJupyterDataDir()] : [repoJupyterPath];
  for (const dataDir of targets) {
    const result = registerKernels(dataDir);
    for (const name of kernelNames) console.log(`${name}: ${result[name]} ${path.join(dataDir, "kernels", name)}`);
  }
  console.log(`\nJupyter finds the in-repo kernels with JUPYTER_PATH=${repoJupyterPath}`);
  if (!values.user) console.log("For VS Code or Jupyter started from the desktop, register them for your user too: npm run kernels -- --user");
});
