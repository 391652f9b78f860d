package io.peerlink.discovery.core.discovery;

import static io.peerlink.discovery.core.discovery.Outcomes.answered;
import static io.peerlink.discovery.core.discovery.Outcomes.peer;
import static io.peerlink.discovery.core.discovery.Outcomes.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterStatus;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SelectionPolicyTest {

  private static final long LIE = 1_000_000_000L;

  private static MasterStatus tip(SelectionPolicy policy, List<PeerOutcome> outcomes) {
    return policy.select(outcomes, outcomes.size()).orElseThrow().status().orElseThrow();
  }

  @Test
  void highestOrdersByEpochThenBlockUnsignedAndIgnoresFailures() {
    List<PeerOutcome> outcomes = List.of(answered(0, 5, 900), refused(1), answered(2, 6, 10), answered(3, 6, 12),
        answered(4, 5, -1L));
    assertEquals(peer(3), SelectionPolicy.highest().select(outcomes, 5).orElseThrow().peer());
    assertEquals(new MasterStatus(-1L, 0),
        tip(SelectionPolicy.highest(), List.of(answered(0, 6, 10), answered(1, -1L, 0))), "2^64-1 is the highest");
  }

  @Test
  void oneLyingPeerMovesHighestButNotQuorum() {
    // 4 peers: f = (4-1)/3 = 1, so the tip needs 2 peers.
    List<PeerOutcome> outcomes = List.of(answered(0, 3, 100), answered(1, 3, 101), answered(2, LIE, 5),
        answered(3, 3, 99));
    assertEquals(new MasterStatus(LIE, 5), tip(SelectionPolicy.highest(), outcomes));
    assertEquals(new MasterStatus(3, 101), tip(SelectionPolicy.quorum(), outcomes));
    assertEquals(peer(1), SelectionPolicy.quorum().select(outcomes, 4).orElseThrow().peer());
  }

  @Test
  void twoStaggeredLiarsStayBelowFPlusOne() {
    // 7 peers: f = 2, so a tip needs 3 peers; two liars at different heights cannot make one.
    List<PeerOutcome> outcomes = List.of(answered(0, 3, 100), answered(1, LIE, 1), answered(2, 3, 100),
        answered(3, 3, 98), answered(4, LIE - 1, 7), answered(5, 3, 97), answered(6, 3, 100));
    assertEquals(2, SelectionPolicy.quorum().faultTolerance(7));
    assertEquals(new MasterStatus(LIE, 1), tip(SelectionPolicy.highest(), outcomes));
    assertEquals(new MasterStatus(3, 100), tip(SelectionPolicy.quorum(), outcomes));
    assertEquals(peer(0), SelectionPolicy.quorum().select(outcomes, 7).orElseThrow().peer(),
        "among equal answers the first listed wins");

    // The same two liars against f=1 (an assumption they break) do move the tip: f matters.
    assertEquals(new MasterStatus(LIE - 1, 7), tip(SelectionPolicy.quorum(1), outcomes));
  }

  @Test
  void quorumNeedsFPlusOneAnswersOfTheConfiguredPeers() {
    List<PeerOutcome> outcomes = List.of(answered(0, 3, 100), refused(1), refused(2), refused(3));
    assertTrue(SelectionPolicy.quorum().select(outcomes, 4).isEmpty(), "f=1: one answer is not a quorum");
    assertTrue(SelectionPolicy.highest().select(outcomes, 4).isPresent());
    assertEquals(new MasterStatus(3, 100), tip(SelectionPolicy.quorum(0), outcomes));
  }

  @Test
  void derivedFCountsTheNodeItselfBesideItsPeers() {
    SelectionPolicy q = SelectionPolicy.quorum();
    assertEquals(0, q.faultTolerance(0));
    assertEquals(0, q.faultTolerance(1));
    assertEquals(0, q.faultTolerance(2));
    assertEquals(1, q.faultTolerance(3), "3 peers and the node: n = 4, f = 1");
    assertEquals(2, q.faultTolerance(6));
    assertEquals(3, q.faultTolerance(9));
    assertEquals(1, SelectionPolicy.faultToleranceOf(4), "a committee of 4 tolerates 1");
    assertEquals(2, SelectionPolicy.faultToleranceOf(7));
    assertEquals(5, SelectionPolicy.quorum(5).faultTolerance(4));
    assertEquals(0, SelectionPolicy.highest().faultTolerance(10));
  }

  @Test
  void parsesNamesAndRejectsNonsenseNamingTheValue() {
    assertEquals(SelectionPolicy.highest(), SelectionPolicy.of("highest", OptionalInt.empty()));
    assertEquals(SelectionPolicy.quorum(), SelectionPolicy.of(" Quorum ", OptionalInt.empty()));
    assertEquals(SelectionPolicy.quorum(2), SelectionPolicy.of("quorum", OptionalInt.of(2)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelectionPolicy.of("majority", OptionalInt.empty()));
    assertTrue(e.getMessage().contains("'majority'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SelectionPolicy.quorum(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SelectionPolicy.of("highest", OptionalInt.of(1)));
    assertTrue(e.getMessage().contains("f=1"), e.getMessage());
  }
}
