/** class-transformer 0.5's metadata storage module (CommonJS, shipped without its own declaration). */
declare module 'class-transformer/cjs/storage.js' {
  const storageModule: { defaultMetadataStorage?: unknown };
  export default storageModule;
}
