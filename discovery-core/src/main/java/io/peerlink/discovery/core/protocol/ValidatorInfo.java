package io.peerlink.discovery.core.protocol;

/**
 * One validator, as requests 1, 3, 4 and 9 answer it. Fields 1-5 are the entries of the consensus
 * node's committee file. Strings are never null (null becomes empty).
 *
 * @param address field 1: G1 the P2P multiaddr; G2+ a wallet address
 * @param stake field 2, a decimal string
 * @param authorityKey field 3, BLS public key, base64
 * @param protocolKey field 4, Ed25519, base64
 * @param networkKey field 5, Ed25519, base64
 * @param name field 6
 * @param description field 7
 * @param website field 8
 * @param image field 9
 * @param commissionRate field 10 (1000 = 10 %)
 * @param minSelfDelegation field 11
 * @param accumulatedRewardsPerShare field 12
 * @param p2pAddress field 13 (G2), a multiaddr
 * @param unknownFields fields this version does not know, kept
 */
public record ValidatorInfo(String address, String stake, String authorityKey, String protocolKey,
    String networkKey, String name, String description, String website, String image, long commissionRate,
    String minSelfDelegation, String accumulatedRewardsPerShare, String p2pAddress, UnknownFields unknownFields) {

  static final Schema<ValidatorInfo> SCHEMA = Schema.<ValidatorInfo>message("ValidatorInfo",
          ValidatorInfo::unknownFields)
      .string(1, "address", ValidatorInfo::address)
      .string(2, "stake", ValidatorInfo::stake)
      .string(3, "authority_key", ValidatorInfo::authorityKey)
      .string(4, "protocol_key", ValidatorInfo::protocolKey)
      .string(5, "network_key", ValidatorInfo::networkKey)
      .string(6, "name", ValidatorInfo::name)
      .string(7, "description", ValidatorInfo::description)
      .string(8, "website", ValidatorInfo::website)
      .string(9, "image", ValidatorInfo::image)
      .u64(10, "commission_rate", ValidatorInfo::commissionRate)
      .string(11, "min_self_delegation", ValidatorInfo::minSelfDelegation)
      .string(12, "accumulated_rewards_per_share", ValidatorInfo::accumulatedRewardsPerShare)
      .string(13, "p2p_address", ValidatorInfo::p2pAddress)
      .build(v -> new ValidatorInfo(v.string(0), v.string(1), v.string(2), v.string(3), v.string(4), v.string(5),
          v.string(6), v.string(7), v.string(8), v.u64(9), v.string(10), v.string(11), v.string(12), v.unknown()));

  /** Null strings become empty, null unknown fields none. */
  public ValidatorInfo {
    address = Text.orEmpty(address);
    stake = Text.orEmpty(stake);
    authorityKey = Text.orEmpty(authorityKey);
    protocolKey = Text.orEmpty(protocolKey);
    networkKey = Text.orEmpty(networkKey);
    name = Text.orEmpty(name);
    description = Text.orEmpty(description);
    website = Text.orEmpty(website);
    image = Text.orEmpty(image);
    minSelfDelegation = Text.orEmpty(minSelfDelegation);
    accumulatedRewardsPerShare = Text.orEmpty(accumulatedRewardsPerShare);
    p2pAddress = Text.orEmpty(p2pAddress);
    unknownFields = UnknownFields.orEmpty(unknownFields);
  }

  /** A validator of a committee file: fields 1-5, the rest empty. */
  public static ValidatorInfo ofCommittee(String address, String stake, String authorityKey, String protocolKey,
      String networkKey) {
    return new ValidatorInfo(address, stake, authorityKey, protocolKey, networkKey, "", "", "", "", 0, "", "", "",
        UnknownFields.EMPTY);
  }

  /** The protobuf bytes. */
  public byte[] encode() {
    return SCHEMA.encode(this);
  }

  /**
   * Parses protobuf bytes; unknown fields are kept.
   *
   * @throws ProtocolException when the bytes are truncated or malformed
   */
  public static ValidatorInfo decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
