package io.peerlink.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.peerlink.discovery.core.discovery.BackoffStep;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Binds the node role's discovery: {@code discovery.*} and {@code health.backoff}. Every option
 * it sets comes from the config (reference.conf holds the defaults), none from
 * {@link DiscoveryOptions}' own defaults for embedders.
 */
final class DiscoveryBinder {

  private final ConfigReader r;
  private final Duration timeout;
  private final Duration interval;
  private final long threshold;
  private final long hysteresis;
  private final String policyName;
  private final OptionalInt quorumF;
  private final int minPeers;
  private final Duration banDuration;
  private final long maxEpochJump;
  private final List<BackoffStep> backoff;

  /** Reads the keys, recording each bad value in {@code r}. */
  DiscoveryBinder(ConfigReader r) {
    this.r = r;
    timeout = r.duration("discovery.timeout");
    interval = r.duration("discovery.interval");
    threshold = r.integer("discovery.threshold", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS);
    hysteresis = r.integer("discovery.hysteresis", 0, SettingBounds.MAX_BLOCKS,
        "a number of blocks 0-" + SettingBounds.MAX_BLOCKS);
    policyName = policyName("discovery.policy");
    quorumF = quorumF("discovery.quorum_f");
    minPeers = (int) r.integer("discovery.min_peers", 0, 10_000, "a number of peers 0-10000");
    banDuration = r.duration("discovery.ban_duration");
    maxEpochJump = r.integer("discovery.max_epoch_jump", 1, DiscoveryOptions.MAX_EPOCH_JUMP,
        "a number of epochs 1-" + DiscoveryOptions.MAX_EPOCH_JUMP);
    backoff = backoff("health.backoff");
  }

  /** Sets every discovery option on {@code b}; only once the reader holds no problem. */
  DiscoveryOptions.Builder applyTo(DiscoveryOptions.Builder b) {
    // quorum_f only means something for the quorum policy; with highest it is left aside.
    SelectionPolicy policy = SelectionPolicy.of(policyName,
        "quorum".equals(policyName) ? quorumF : OptionalInt.empty());
    return b.queryTimeout(timeout)
        .checkInterval(interval)
        .gapThreshold(threshold)
        .hysteresisBlocks(hysteresis)
        .selectionPolicy(policy)
        .minimumPeers(minPeers)
        .maxEpochJump(maxEpochJump)
        .backoffSteps(backoff)
        .banDuration(banDuration);
  }

  private String policyName(String key) {
    ConfigValue v = r.value(key);
    if (v == null) {
      return null;
    }
    if (v.valueType() == ConfigValueType.STRING) {
      String s = ((String) v.unwrapped()).strip().toLowerCase(Locale.ROOT);
      if (s.equals("highest") || s.equals("quorum")) {
        return s;
      }
    }
    r.problem(key, v, "expected highest or quorum");
    return null;
  }

  private OptionalInt quorumF(String key) {
    ConfigValue v = r.value(key);
    if (v == null) {
      return OptionalInt.empty();
    }
    if (v.valueType() == ConfigValueType.STRING && ((String) v.unwrapped()).strip().equalsIgnoreCase("auto")) {
      return OptionalInt.empty();
    }
    Long n = ConfigReader.asLong(v);
    if (n == null || n < 0 || n > 10_000) {
      r.problem(key, v, "expected auto or a number of faulty peers 0-10000");
      return OptionalInt.empty();
    }
    return OptionalInt.of(n.intValue());
  }

  /** A list of {failures, skip} objects, or a string "3:10s,5:30s,10:60s". */
  private List<BackoffStep> backoff(String key) {
    String expected = "expected steps in increasing order of failures, e.g. [{failures = 3, skip = 10s}] "
        + "or \"3:10s,5:30s,10:60s\"";
    List<ConfigValue> items = r.list(key, expected);
    List<BackoffStep> steps = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ConfigValue item = items.get(i);
      String itemKey = key + "[" + i + "]";
      BackoffStep step = backoffStep(item);
      if (step == null) {
        r.problem(itemKey, item, expected);
        return List.of();
      }
      if (!steps.isEmpty() && step.failures() <= steps.get(steps.size() - 1).failures()) {
        r.problem(itemKey, item, expected);
        return List.of();
      }
      if (!SettingBounds.BACKOFF_SKIP.contains(step.skipFor()) || step.failures() > 1_000_000) {
        r.problem(itemKey, item, "expected failures 1-1000000 and a skip " + SettingBounds.BACKOFF_SKIP.describe());
        return List.of();
      }
      steps.add(step);
    }
    return steps;
  }

  private static BackoffStep backoffStep(ConfigValue item) {
    try {
      if (item.valueType() == ConfigValueType.OBJECT) {
        Config c = ((ConfigObject) item).toConfig();
        return BackoffStep.of(c.getInt("failures"), c.getDuration("skip"));
      }
      if (item.valueType() == ConfigValueType.STRING) {
        String[] parts = ((String) item.unwrapped()).split(":");
        if (parts.length != 2) {
          return null;
        }
        Config c = ConfigFactory.parseMap(
            Map.of("failures", parts[0].strip(), "skip", parts[1].strip()));
        return BackoffStep.of(c.getInt("failures"), c.getDuration("skip"));
      }
    } catch (ConfigException | IllegalArgumentException e) {
      return null;
    }
    return null;
  }
}
