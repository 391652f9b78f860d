package io.peerlink.node.metrics;

import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.node.master.StoreHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code /health/ready} answers: ready when the node role's last sync decision is ready
 * (Ready or Ahead), its own chain is not known to fork from the network, and the master's store
 * takes writes. A process that plays one role is judged
 * on that role alone: a master-only process on its store, a node-only process on its sync state.
 */
public final class Readiness {

  /**
   * One answer.
   *
   * @param ready whether the node is ready
   * @param state the sync state's kind ({@code Ready}, {@code SyncingCommits}, ...); {@code unknown}
   *     before the first check; empty without a node role
   * @param why one line per condition, each saying how it stands
   * @param sync the last sync decision in words; empty before the first check or without a node role
   * @param store {@code writable}, or what keeps the store from taking writes; empty without a master
   */
  public record Verdict(boolean ready, Optional<String> state, List<String> why, Optional<String> sync,
      Optional<String> store) {
    /** Copies the list. */
    public Verdict {
      why = List.copyOf(why);
    }
  }

  /** What readiness reads from the running node, at each check (the roles start after the endpoint). */
  public interface Source {
    /** Whether the node role runs. */
    boolean nodeRole();

    /** The node role's last sync decision; empty before the first check. */
    Optional<SyncStatus> syncStatus();

    /** Where the own chain forks from the network's, as the node role last found it; empty when none is known. */
    Optional<ChainFork> fork();

    /** The master's store, when the master role runs. */
    Optional<StoreHealth> store();
  }

  private final Source source;

  /** Readiness of what {@code source} shows. */
  public Readiness(Source source) {
    this.source = java.util.Objects.requireNonNull(source, "source");
  }

  /** Checks now: reads the last sync decision and probes the store. */
  public Verdict check() {
    List<String> why = new ArrayList<>();
    boolean ready = true;
    Optional<String> state = Optional.empty();
    Optional<String> syncText = Optional.empty();
    boolean node = source.nodeRole();
    Optional<StoreHealth> master = source.store();
    if (!node && master.isEmpty()) {
      return new Verdict(false, state, List.of("starting: no role is running yet"), syncText, Optional.empty());
    }
    if (node) {
      Optional<SyncStatus> status = source.syncStatus();
      if (status.isEmpty()) {
        ready = false;
        state = Optional.of("unknown");
        why.add("sync: not checked yet");
      } else {
        SyncStatus s = status.get();
        state = Optional.of(s.state().kind());
        syncText = Optional.of(s.summary());
        ready = s.ready();
        why.add("sync: " + (s.ready() ? "ready, " : "not ready, ") + s.state());
      }
      Optional<ChainFork> fork = source.fork();
      if (fork.isPresent()) {
        ready = false;
        why.add("chain: " + forkWords(fork.get()));
      }
    }
    Optional<String> storeText = Optional.empty();
    if (master.isPresent()) {
      Optional<String> problem = master.get().problem();
      storeText = Optional.of(problem.orElse("writable"));
      if (problem.isPresent()) {
        ready = false;
        why.add("store: " + problem.get());
      } else {
        why.add("store: writable");
      }
    }
    return new Verdict(ready, state, why, syncText, storeText);
  }

  /** The fork in one line: which block differs, where the chains part, what the operator does. */
  static String forkWords(ChainFork f) {
    String common = Long.toUnsignedString(f.lastCommonBlock());
    return "not ready, the own master's chain forks from the network: its block "
        + Long.toUnsignedString(f.localBlock()) + " has hash " + Hashes.hex(f.localHash()) + ", "
        + f.confirmedBy().size() + " peers confirm " + Hashes.hex(f.confirmedHash()) + "; "
        + (f.forkPointKnown() ? "the chains part after block " + common
            : "the chains part after block " + common + " and at or before block "
                + Long.toUnsignedString(f.firstDifferentBlock()))
        + "; roll the master's store back to block " + common + " (or move it aside) and let it resync";
  }
}
