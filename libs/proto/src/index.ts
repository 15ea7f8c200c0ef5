// Generated message classes (npm run proto:gen; never edited by hand) and the .proto locations.
export { custody, google, grpc, signer } from './generated/protos';
export * from './proto-files';
