package io.peerlink.node.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TlsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds what the master's listeners tolerate and whom they admit: {@code peer_rpc_allow},
 * {@code limits.peer_rpc.*}, {@code limits.local.*}, {@code unix_socket_mode},
 * {@code unix_socket_group}, {@code unix_allowed_uids}, {@code master_uids} and
 * {@code executor_allow}, with the {@code tls} block the peer port serves.
 */
final class ListenersBinder {

  private final ConfigReader r;
  private final List<String> allow;
  private final ListenerLimits peerLimits;
  private final ListenerLimits localLimits;
  private final long rangeRate;
  private final long strangerRangeRate;
  private final long peerRangeRate;
  private final String mode;
  private final String group;
  private final Set<Long> uids;
  private final Set<Long> masterUids;
  private final List<String> executorAllow;
  private final Optional<TlsOptions> tls;

  /** Reads the keys, recording each bad value in {@code r}. */
  ListenersBinder(ConfigReader r, Optional<TlsOptions> tls) {
    this.r = r;
    this.tls = tls;
    allow = cidrs("peer_rpc_allow");
    peerLimits = limits("limits.peer_rpc", true);
    localLimits = limits("limits.local", false);
    rangeRate = r.integer("limits.peer_rpc.range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    strangerRangeRate = r.integer("limits.peer_rpc.stranger_range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    peerRangeRate = r.integer("limits.peer_rpc.peer_range_blocks_per_second", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS + " (0 = unlimited)");
    mode = socketMode("unix_socket_mode");
    group = r.optionalString("unix_socket_group");
    uids = uids("unix_allowed_uids");
    masterUids = uids("master_uids");
    executorAllow = cidrs("executor_allow");
  }

  /** {@code executor_allow}, as read (an executor socket's loopback check needs it). */
  List<String> executorAllow() {
    return executorAllow;
  }

  /** The settings; only once the reader holds no problem. */
  ListenerSettings settings() {
    return new ListenerSettings(allow, peerLimits, localLimits, mode, Optional.ofNullable(group), uids, tls,
        executorAllow, masterUids, rangeRate, strangerRangeRate, peerRangeRate);
  }

  private List<String> cidrs(String key) {
    List<String> out = new ArrayList<>();
    List<ConfigValue> items = r.list(key, "expected a list of CIDR blocks, e.g. [\"192.168.1.0/24\"]");
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      String itemKey = key + "[" + i + "]";
      String expected = "expected a CIDR block such as 192.168.1.0/24, 127.0.0.1/32 or ::1/128";
      if (item.valueType() != ConfigValueType.STRING) {
        r.problem(itemKey, item, expected);
        continue;
      }
      String block = ((String) item.unwrapped()).strip();
      try {
        AccessPolicy.cidrs(List.of(block));
        out.add(block);
      } catch (IllegalArgumentException e) {
        r.problem(itemKey, item, expected);
      }
    }
    return out;
  }

  /**
   * A {@code limits.*} block; per-address caps and reserved slots only where remote addresses
   * exist (the peer port). Every value comes from the config: none from ListenerLimits.DEFAULTS.
   */
  private ListenerLimits limits(String prefix, boolean perAddress) {
    Duration idle = r.durationOrZero(prefix + ".idle_timeout");
    Duration partial = r.durationOrZero(prefix + ".partial_frame_timeout");
    int max = (int) r.integer(prefix + ".max_connections", 1, 1_000_000, "a number of connections 1-1000000");
    int perAddr = perAddress
        ? (int) r.integer(prefix + ".max_connections_per_address", 1, 1_000_000, "a number of connections 1-1000000")
        : max;
    int pipelined = (int) r.integer(prefix + ".max_pipelined", 1, 1_000_000, "a number of requests 1-1000000");
    int unanswered = (int) r.integer(prefix + ".max_unanswered_bytes", 4096, 1 << 30,
        "a number of bytes 4096-1073741824");
    int reserved = 0;
    if (perAddress) {
      reserved = (int) r.integer(prefix + ".reserved_for_peers", 0, 1_000_000,
          "a number of connections 0-1000000, fewer than max_connections");
      if (max >= 1 && reserved >= max) {
        if (r.fromReference(prefix + ".reserved_for_peers")) {
          reserved = max / 2; // the default, under a smaller max_connections someone set: keep half
        } else {
          r.problem(prefix + ".reserved_for_peers", "expected fewer than " + prefix + ".max_connections (" + max + ")");
          reserved = -1;
        }
      }
    }
    if (idle == null || partial == null || max < 1 || perAddr < 1 || pipelined < 1 || reserved < 0 || unanswered < 1) {
      return null;
    }
    return new ListenerLimits(idle, partial, max, perAddr, pipelined, reserved, unanswered);
  }

  /** An octal mode that gives the owner read/write and no one execute: 0600, 0660, 0666. */
  private String socketMode(String key) {
    String s = r.string(key);
    if (s == null) {
      return null;
    }
    String m = s.strip();
    if (!m.matches("0?6[0246][0246]")) {
      r.problem(key, r.value(key), "expected an octal mode with owner read/write and no execute bits, e.g. \"0600\" "
          + "or \"0660\"");
      return null;
    }
    m = m.length() == 4 ? m.substring(1) : m;
    StringBuilder letters = new StringBuilder();
    for (char c : m.toCharArray()) {
      int bits = c - '0';
      letters.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append('-');
    }
    return letters.toString();
  }

  private Set<Long> uids(String key) {
    Set<Long> out = new LinkedHashSet<>();
    List<ConfigValue> items = r.list(key, "expected a list of uids, e.g. [1000, 1001]");
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      Long n = ConfigReader.asLong(item);
      if (n == null || n < 0 || n > 4_294_967_294L) {
        r.problem(key + "[" + i + "]", item, "expected a uid 0-4294967294");
        continue;
      }
      out.add(n);
    }
    return out;
  }
}
