#!/usr/bin/env node
// The `hookmux` command. A committed shim rather than a path into a build folder: npm links a
// workspace's bin when `npm ci` runs, before anything is built, and only if the file exists then.
try {
  await import('@hookmux/core/cli');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  if (!missing || !String(error?.message).includes('@hookmux/core')) throw error;
  console.error(
    'hookmux: @hookmux/core 尚未构建或未安装 is not built or not installed.\n' +
      '  在仓库中 in a clone: npm run build；安装时 installed: npm install hookmux',
  );
  process.exitCode = 1;
}
