/**
 * Public test vectors, copied as data with their provenance. They are facts about the encodings, not code.
 */

/**
 * EIP-55 ("Mixed-case checksum address encoding", eips.ethereum.org/EIPS/eip-55, section "Test Cases"):
 * the checksummed forms. Some are all upper- or all lower-case because of their checksum bits.
 */
export const EIP55_ADDRESSES = [
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
] as const;

/**
 * Private key → address pairs. Key 1: the generator point's address, widely published (e.g. in the
 * go-ethereum and ethers test suites). Key 0x46…46: EIP-155's example ("Example" section,
 * eips.ethereum.org/EIPS/eip-155), whose sender is 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F.
 */
export const KEY_ADDRESSES = [
  { privateKey: '0000000000000000000000000000000000000000000000000000000000000001', address: '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf' },
  { privateKey: '4646464646464646464646464646464646464646464646464646464646464646', address: '0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F' },
] as const;

/**
 * EIP-1559 transactions from ethereumjs/ethereumjs-monorepo, packages/tx/test/json/eip1559.json
 * (MPL-2.0), the first four entries. Chain id 7822 (0x1e8e, the chain id of that file's signed RLP),
 * empty data, empty access list; signed with RFC 6979 deterministic nonces. `signed` is the file's
 * `signedTransactionRLP` without its outer RLP string header (`b8 LL`), i.e. the EIP-2718 envelope.
 */
export const EIP1559_VECTORS = [
  {
    nonce: 819, value: 43203529n, gas: 35552n, maxPriorityFeePerGas: 75853n, maxFeePerGas: 121212n,
    to: '0x000000000000000000000000000000000000aaaa',
    privateKey: '8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63',
    signed: '02f870821e8e8203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933bc980c080a0d067f2167008c59219652f91cbf8788dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fdba43f0dfcd400ed24dcace0a7e30d4e85701dcaaf484cd079e',
  },
  {
    nonce: 353, value: 61901619n, gas: 32593n, maxPriorityFeePerGas: 38850n, maxFeePerGas: 136295n,
    to: '0x000000000000000000000000000000000000aaaa',
    privateKey: '8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63',
    signed: '02f86f821e8e8201618297c283021467827f5194000000000000000000000000000000000000aaaa8403b08b3380c001a004205678f13fc1d7b10feea6513dfa76e24418b6e08097d95c6f93a3b64e536da01d45ad61bfece43862de2cce7d2575a8c1d08c26c87f3cb5f26d7b0be54a91b2',
  },
  {
    nonce: 985, value: 32531825n, gas: 68541n, maxPriorityFeePerGas: 66377n, maxFeePerGas: 136097n,
    to: '0x000000000000000000000000000000000000aaaa',
    privateKey: '8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63',
    signed: '02f871821e8e8203d983010349830213a183010bbd94000000000000000000000000000000000000aaaa8401f0657180c001a0e6d23c5ecc0f388a4d41a9523c3ad171e98083a61288c340b968dfe0903a6741a07319e8d54a4fd8f0c081d3ce093d869f9df598481991c8534bfd8f2c163884b4',
  },
  {
    nonce: 623, value: 21649799n, gas: 57725n, maxPriorityFeePerGas: 74140n, maxFeePerGas: 81173n,
    to: '0x000000000000000000000000000000000000aaaa',
    privateKey: '8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63',
    signed: '02f870821e8e82026f8301219c83013d1582e17d94000000000000000000000000000000000000aaaa84014a598780c080a0b107893e4590e177e244493a3f2b59d63619ddd82772105d8c96b7fc85ff683da07dc9b9dc054d2f69f9cc540688f6c0da3b54dd8bd8323f06d0ca26b546a480f1',
  },
] as const;
export const EIP1559_VECTOR_CHAIN_ID = 7822;

/**
 * BIP-0032 "Test Vectors" (github.com/bitcoin/bips, bip-0032.mediawiki), the non-hardened steps from
 * an extended public key (also in libs/mpc-core/test/vectors/bip32-public-derivation.json).
 */
export const BIP32_PUBLIC_STEPS = [
  {
    parent: 'xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB',
    path: [0],
    child: 'xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH',
  },
  {
    parent: 'xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5',
    path: [2, 1000000000],
    child: 'xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy',
  },
] as const;
