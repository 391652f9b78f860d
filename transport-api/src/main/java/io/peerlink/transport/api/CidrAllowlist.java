package io.peerlink.transport.api;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link AccessPolicy#cidrs}: address blocks, parsed once, matched by prefix. */
final class CidrAllowlist implements AccessPolicy {

  private record Block(String written, byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks = new ArrayList<>();

  CidrAllowlist(List<String> written) {
    for (String w : written) {
      blocks.add(parse(w));
    }
  }

  private static Block parse(String written) {
    String s = written == null ? "" : written.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    if (!addr.matches("[0-9.]+") && !addr.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("'" + written + "' is not a CIDR block: expected an IP address with an "
          + "optional /prefix, e.g. 192.168.1.0/24 or ::1/128 (host names are not allowed)");
    }
    byte[] network;
    try {
      network = InetAddress.getByName(addr).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + written + "' is not a CIDR block: '" + addr + "' is not an IP address");
    }
    int bits = network.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + written + "' is not a CIDR block: the prefix must be 0-" + bits);
      }
      prefix = Integer.parseInt(p);
    }
    return new Block(s, network, prefix);
  }

  @Override
  public Optional<String> refusal(Endpoint remote, Optional<PeerCredentials> credentials) {
    if (!remote.isTcp()) {
      return Optional.of(remote + " has no IP address to check against the allowlist");
    }
    byte[] address;
    try {
      String host = remote.host();
      if (!host.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+") || !(host.contains(":") || host.matches("[0-9.]+"))) {
        return Optional.of(remote + " is not an IP address");
      }
      address = InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      return Optional.of(remote + " is not an IP address");
    }
    address = unmapIpv4(address);
    for (Block b : blocks) {
      if (b.contains(address)) {
        return Optional.empty();
      }
    }
    return Optional.of(remote.host() + " is not in the allowlist " + this);
  }

  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; match it against IPv4 blocks.
  private static byte[] unmapIpv4(byte[] a) {
    if (a.length == 16 && new BigInteger(1, java.util.Arrays.copyOf(a, 10)).signum() == 0
        && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
      return java.util.Arrays.copyOfRange(a, 12, 16);
    }
    return a;
  }

  @Override
  public String toString() {
    List<String> w = new ArrayList<>();
    for (Block b : blocks) {
      w.add(b.written);
    }
    return w.toString();
  }
}
