package io.peerlink.discovery.core.chain;

import static io.peerlink.discovery.core.testing.FakeMasterState.block;
import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.peerlink.discovery.core.protocol.BlockData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chain-link check catch-up and a master share, against blocks that lie about their place. */
class ChainVerifierTest {

  private static final ChainVerifier WHOLE = ChainVerifier.WHOLE_HASHES;
  private static final ChainVerifier PRESENT = ChainVerifier.WHERE_PRESENT;

  private static BlockData withHashes(BlockData b, byte[] blockHash, byte[] parentHash) {
    return new BlockData(b.blockNumber(), blockHash, b.epoch(), b.timestampMs(), parentHash, null, null, null, 0, 0,
        null);
  }

  private static List<BlockData> replace(List<BlockData> blocks, int index, BlockData b) {
    List<BlockData> out = new ArrayList<>(blocks);
    out.set(index, b);
    return out;
  }

  @Test
  void anHonestChainPassesUnderBothRules() {
    for (ChainVerifier v : List.of(WHOLE, PRESENT)) {
      assertNull(v.problem(honestRange(5, 9), 4, hash(4)));
      assertNull(v.problem(honestRange(1, 3), 0, null), "block 1 has no parent to check");
      assertNull(v.problem(List.of(), 4, hash(4)));
    }
  }

  @Test
  void numbersMustRunOnFromTheBlockFollowed() {
    for (ChainVerifier v : List.of(WHOLE, PRESENT)) {
      assertEquals("block 6 does not follow block 4: expected block 5", v.problem(honestRange(6, 9), 4, hash(4)));
      List<BlockData> skipping = List.of(block(5), block(7));
      assertEquals("block 7 does not follow block 5: expected block 6", v.problem(skipping, 4, hash(4)));
      List<BlockData> repeated = List.of(block(5), block(5));
      assertEquals("block 5 does not follow block 5: expected block 6", v.problem(repeated, 4, hash(4)));
      assertEquals("block after 5 is missing (null)", v.problem(Arrays.asList(block(5), null), 4, hash(4)));
    }
  }

  @Test
  void aForgedParentIsRefusedNamingBothHashesInFull() {
    BlockData forged = withHashes(block(7), hash(7), hash(99));
    String expected = "block 7 has parent_hash " + Hashes.hex(hash(99)) + " but block 6 has block_hash "
        + Hashes.hex(hash(6));
    assertEquals(expected, WHOLE.problem(replace(honestRange(5, 9), 2, forged), 4, hash(4)));
    assertEquals(expected, PRESENT.problem(replace(honestRange(5, 9), 2, forged), 4, hash(4)));
    // The first block must link to the block it follows, not merely to its own batch.
    String fromTip = "block 5 has parent_hash " + Hashes.hex(hash(4)) + " but block 4 has block_hash "
        + Hashes.hex(hash(44));
    assertEquals(fromTip, WHOLE.problem(honestRange(5, 9), 4, hash(44)));
    assertEquals(fromTip, PRESENT.problem(honestRange(5, 9), 4, hash(44)));
  }

  @Test
  void wholeHashesRefusesMissingOrShortHashesInsteadOfSkippingTheCheck() {
    BlockData noHash = withHashes(block(6), new byte[0], hash(5));
    assertEquals("block 6 has a block_hash of 0 bytes; 32 expected",
        WHOLE.problem(replace(honestRange(5, 7), 1, noHash), 4, hash(4)));
    BlockData noParent = withHashes(block(6), hash(6), new byte[0]);
    assertEquals("block 6 has a parent_hash of 0 bytes; 32 expected",
        WHOLE.problem(replace(honestRange(5, 7), 1, noParent), 4, hash(4)));
    BlockData shortParent = withHashes(block(6), hash(6), new byte[] {1, 2, 3});
    assertEquals("block 6 has a parent_hash of 3 bytes; 32 expected",
        WHOLE.problem(replace(honestRange(5, 7), 1, shortParent), 4, hash(4)));
    assertEquals("block 5 cannot be checked: the hash of block 4 is unknown", WHOLE.problem(honestRange(5, 9), 4, null),
        "an unknown hash of the block followed never skips the check");
    assertNull(ChainVerifier.wholeHashesProblem(withHashes(block(1), hash(1), new byte[0])), "block 1 has no parent");
  }

  @Test
  void wherePresentComparesLinksOnlyWhereBothHashesAreThere() {
    List<BlockData> bare = new ArrayList<>();
    for (long n = 5; n <= 7; n++) {
      bare.add(withHashes(block(n), new byte[0], new byte[0])); // a master that leaves hash fields empty
    }
    assertNull(PRESENT.problem(bare, 4, hash(4)));
    assertNull(PRESENT.problem(honestRange(5, 7), 4, new byte[0]), "the block followed has no hash to compare");
    // A present but different parent is still refused after a block without a hash.
    List<BlockData> mixed = List.of(bare.get(0), block(6), withHashes(block(7), hash(7), hash(99)));
    assertEquals("block 7 has parent_hash " + Hashes.hex(hash(99)) + " but block 6 has block_hash " + Hashes.hex(hash(6)),
        PRESENT.problem(mixed, 4, hash(4)));
  }
}
