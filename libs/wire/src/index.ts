export { decodeUtf8, isAscii, readTimestamp, RecentStrings, tagOf, WireError, WireReader, WireType } from './reader.js';
export { varintSize, writeVarint } from './writer.js';
