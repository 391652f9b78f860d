package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Truncated, over-long and malformed input: a {@link ProtocolException} and never another
 * exception, never an allocation sized by the input's claims, and the same verdict as
 * protobuf-java wherever protobuf-java has one.
 */
class DecoderRobustnessTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  /** Decodes with ours; returns the value, or the ProtocolException. Any other exception fails. */
  private interface Decoder {
    Object decode(byte[] b) throws ProtocolException;
  }

  private static Object ours(Decoder d, byte[] bytes) {
    try {
      return d.decode(bytes);
    } catch (ProtocolException e) {
      return e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("decoding " + HexFormat.of().formatHex(bytes) + " threw " + e, e);
    }
  }

  /**
   * Ours against protobuf-java on the same bytes. When protobuf-java rejects, we reject. When both
   * accept, the values are equal. We may reject where protobuf-java accepts only for the
   * documented strictness: a Request/Response with no payload (protobuf-java yields an empty
   * message), a 10-byte varint above 2^64-1, and a tag or a length above 32 bits (protobuf-java
   * drops the high bits, Go rejects).
   */
  private static void compare(byte[] bytes, Decoder d, Descriptor type) {
    String where = HexFormat.of().formatHex(bytes);
    Object mine = ours(d, bytes);
    DynamicMessage theirs;
    try {
      theirs = DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      assertInstanceOf(ProtocolException.class, mine, "protobuf-java rejects (" + e.getMessage() + "), we accept: " + where);
      return;
    }
    DynamicMessage expected = ProtoSchema.comparable(theirs);
    if (mine instanceof ProtocolException) {
      String why = ((ProtocolException) mine).getMessage();
      boolean documented = expected == null && (why.contains("carries no") || why.contains("where a length-delimited"))
          || why.contains("overflows 64 bits") || why.contains("out of range");
      assertTrue(documented, "we reject (" + why + "), protobuf-java accepts " + theirs + ": " + where);
      return;
    }
    if (expected == null && mine instanceof Request.Unsupported) {
      return; // protobuf-java: no call set; ours names the unknown field instead
    }
    assertEquals(expected, ProtoSchema.toDynamic(mine, type), where);
  }

  private static void fuzz(long seed, Function<Random, byte[]> valid, Decoder d, Descriptor type) {
    Random rnd = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      byte[] bytes = valid.apply(rnd);
      // Every prefix: truncated inside a field, or a shorter valid message.
      for (int n = 0; n < bytes.length; n += 1 + bytes.length / 16) {
        compare(java.util.Arrays.copyOf(bytes, n), d, type);
      }
      // Random damage: flipped bytes, a byte set to a varint continuation, trailing garbage.
      byte[] damaged = bytes.clone();
      int hits = 1 + rnd.nextInt(3);
      for (int h = 0; h < hits && damaged.length > 0; h++) {
        int at = rnd.nextInt(damaged.length);
        damaged[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : damaged[at] | 0x80);
      }
      compare(damaged, d, type);
      byte[] tail = new byte[1 + rnd.nextInt(6)];
      rnd.nextBytes(tail);
      ByteArrayOutputStream withTail = new ByteArrayOutputStream();
      withTail.writeBytes(bytes);
      withTail.writeBytes(tail);
      compare(withTail.toByteArray(), d, type);
    }
  }

  private static Function<Random, byte[]> noisy(Function<Random, DynamicMessage> gen) {
    return rnd -> ProtoSchema.scrambled(ProtoSchema.withUnknowns(gen.apply(rnd), rnd), rnd);
  }

  @Test
  void requestsAgreeWithProtobufJavaOnDamagedInput() {
    fuzz(11, noisy(rnd -> ProtoSchema.toDynamic(Values.request(rnd))), Request::decode, ProtoSchema.REQUEST);
  }

  @Test
  void responsesAgreeWithProtobufJavaOnDamagedInput() {
    fuzz(12, noisy(rnd -> ProtoSchema.toDynamic(Values.response(rnd))), Response::decode, ProtoSchema.RESPONSE);
  }

  @Test
  void blockDataAgreesWithProtobufJavaOnDamagedInput() {
    fuzz(13, noisy(rnd -> ProtoSchema.toDynamic(Values.block(rnd))), BlockData::decode, ProtoSchema.BLOCK_DATA);
  }

  @Test
  void commitsAgreeWithProtobufJavaOnDamagedInput() {
    fuzz(14, noisy(rnd -> ProtoSchema.toDynamic(Values.commit(rnd))), CommittedEpochData::decode,
        ProtoSchema.COMMITTED_EPOCH_DATA);
  }

  private static String rejected(Decoder d, String hexBytes) {
    return assertThrows(ProtocolException.class, () -> d.decode(hex(hexBytes)), hexBytes).getMessage();
  }

  @Test
  void aLengthBeyondTheInputIsRejectedBeforeAllocating() {
    // get_blocks_range_response claiming 2^32-1 bytes, then a BlockData claiming 2^31-1 bytes.
    assertTrue(rejected(Response::decode, "aa 01 ff ff ff ff 0f").contains("exceeds the 0 bytes left"));
    assertTrue(rejected(Response::decode, "aa 01 06 0a ff ff ff ff 07").contains("exceeds the 0 bytes left"));
    // A length of 2^64-1 or 2^32 does not wrap around to a small or negative number.
    assertTrue(rejected(BlockData::decode, "12 ff ff ff ff ff ff ff ff ff 01 00").contains("out of range"));
    assertTrue(rejected(BlockData::decode, "12 80 80 80 80 10 00").contains("out of range"));
  }

  @Test
  void decodingAllocatesInProportionToTheInputNotToItsClaims() throws Exception {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    byte[] liar = hex("b2 01 0a 0a ff ff ff ff 07 0a 00"); // sync_blocks_request, a block "of 2 GB"
    Request.decode(new Request.GetCurrentEpoch().encode()); // warm up class loading
    assertThrows(ProtocolException.class, () -> Request.decode(liar));
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100; i++) {
      assertThrows(ProtocolException.class, () -> Request.decode(liar));
    }
    long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 100;
    assertTrue(perCall < 64 * 1024, "a rejected 11-byte input cost " + perCall + " bytes");
  }

  @Test
  void varintsLongerThanTenBytesOrAbove64BitsAreRejected() {
    assertTrue(rejected(BlockData::decode, "08 80 80 80 80 80 80 80 80 80 80 01").contains("overflows 64 bits"));
    assertTrue(rejected(BlockData::decode, "08 ff ff ff ff ff ff ff ff ff 02").contains("overflows 64 bits"));
    assertTrue(rejected(BlockData::decode, "08 ff ff").contains("truncated varint"));
  }

  @Test
  void twoToThe64MinusOneAndNonMinimalVarintsAreRead() throws Exception {
    assertEquals(-1L, BlockData.decode(hex("08 ff ff ff ff ff ff ff ff ff 01")).blockNumber());
    assertEquals(5L, BlockData.decode(hex("08 85 80 00")).blockNumber()); // padded, as protobuf accepts
  }

  @Test
  void uint32KeepsTheLow32BitsOfALongerVarintAsProtobufDoes() throws Exception {
    byte[] bytes = hex("18 ff ff ff ff ff ff ff ff ff 01"); // commit_index = 2^64-1 on the wire
    CommittedEpochData ours = CommittedEpochData.decode(bytes);
    assertEquals(ProtoSchema.committedEpochData(DynamicMessage.parseFrom(ProtoSchema.COMMITTED_EPOCH_DATA, bytes)), ours);
    assertEquals(-1, ours.commitIndex());
  }

  @Test
  void badTagsAreRejected() {
    assertTrue(rejected(BlockData::decode, "00 01").contains("field number 0"));
    assertTrue(rejected(BlockData::decode, "0e 01").contains("invalid wire type 6"));
    assertTrue(rejected(BlockData::decode, "0f 01").contains("invalid wire type 7"));
    assertTrue(rejected(BlockData::decode, "f9 ff ff ff ff 01").contains("out of range"));
    assertTrue(rejected(BlockData::decode, "f9").contains("truncated varint"));
  }

  @Test
  void truncatedFixedWidthFieldsAreRejected() {
    assertTrue(rejected(BlockData::decode, "61 01 02 03 04 05 06 07").contains("truncated 64-bit field 12"));
    assertTrue(rejected(BlockData::decode, "65 01 02 03").contains("truncated 32-bit field 12"));
  }

  @Test
  void unknownGroupsAreSkippedWhenWellFormed() throws Exception {
    // field 12 group { field 1 varint 7, field 13 group { field 2 fixed32 } }, then block_number = 9.
    BlockData b = BlockData.decode(hex("63 08 07 6b 15 01 02 03 04 6c 64 08 09"));
    assertEquals(9, b.blockNumber());
    assertEquals(b, ProtoSchema.blockData(DynamicMessage.parseFrom(ProtoSchema.BLOCK_DATA,
        hex("63 08 07 6b 15 01 02 03 04 6c 64 08 09"))));
  }

  @Test
  void malformedGroupsAreRejected() {
    assertTrue(rejected(BlockData::decode, "63 08 07").contains("not closed"));
    assertTrue(rejected(BlockData::decode, "63 08 07 6c").contains("closes the group of field 12"));
    assertTrue(rejected(BlockData::decode, "64").contains("without a matching start-group"));
  }

  @Test
  void groupNestingIsBoundedWithoutRecursion() throws Exception {
    int limit = WireReader.MAX_GROUP_DEPTH;
    ByteArrayOutputStream ok = new ByteArrayOutputStream();
    for (int i = 0; i < limit; i++) {
      ok.write(0x63);
    }
    for (int i = 0; i < limit; i++) {
      ok.write(0x64);
    }
    assertEquals(0, BlockData.decode(ok.toByteArray()).blockNumber());

    byte[] deep = new byte[1_000_000];
    java.util.Arrays.fill(deep, (byte) 0x63);
    String why = assertThrows(ProtocolException.class, () -> BlockData.decode(deep)).getMessage();
    assertTrue(why.contains("nested deeper than " + limit), why);
  }

  /**
   * Measured while writing ProtocolFuzzTest: skipping an empty unknown group (0b 0c, 2 bytes)
   * allocated a 100-slot stack, 416 bytes, so a 10 MB request of them cost 2 GB of garbage. The
   * stack now grows with the nesting.
   */
  @Test
  void skippingEmptyGroupsCostsLittleMemoryPerByte() throws Exception {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < 50_000; i++) {
      wire.write(0x0b); // field 1, start group
      wire.write(0x0c); // field 1, end group
    }
    wire.write(0x32); // then get_current_epoch_request {}
    wire.write(0x00);
    byte[] bytes = wire.toByteArray();
    assertEquals(new Request.GetCurrentEpoch(), Request.decode(bytes)); // also warms up
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    Request.decode(bytes);
    long perByte = (mx.getThreadAllocatedBytes(tid) - before) / bytes.length;
    assertTrue(perByte <= 32, "skipping empty groups cost " + perByte + " bytes per input byte");
  }

  @Test
  void stringsMustBeValidUtf8AsInProto3() {
    assertTrue(rejected(Response::decode, "22 02 c3 28").contains("not valid UTF-8"));
    assertTrue(rejected(Response::decode, "aa 01 04 1a 02 ed a0").contains("not valid UTF-8"));
  }

  @Test
  void requestsWithoutAServedCall() throws Exception {
    assertTrue(rejected(Request::decode, "").contains("carries no call"));
    assertEquals(new Request.Unsupported(13), Request.decode(hex("6a 00")));
    assertEquals(new Request.Unsupported(100), Request.decode(hex("08 01 a2 06 03 01 02 03")));
    assertTrue(rejected(Request::decode, "30 01").contains("field 6 has wire type 0"));
    // A served call wins over unknown fields wherever they are, as protobuf-java reads it.
    assertEquals(new Request.GetCurrentEpoch(), Request.decode(hex("6a 00 32 00 a2 06 00")));
  }

  @Test
  void responsesWithoutAKnownPayloadNameTheFieldsSeen() {
    String why = rejected(Response::decode, "6a 00 a2 06 00");
    assertTrue(why.contains("no known payload") && why.contains("[13, 100]"), why);
    assertTrue(rejected(Response::decode, "").contains("no known payload"));
  }

  @Test
  void epochStartRequestCarriesTheEpochOrNothing() throws Exception {
    assertEquals(new Request.GetEpochStartTimestamp(5), Request.decode(hex("3a 02 08 05")));
    assertEquals(new Request.GetEpochStartTimestamp(), Request.decode(hex("3a 00")));
  }

  @Test
  void oneofFollowsProtobufLastWinsAndMergeRules() throws Exception {
    List<String> cases = List.of(
        "42 02 08 01  42 02 18 03", // advance_epoch twice: merged to {1, 0, 3}
        "42 02 08 01  32 00", // advance_epoch, then get_current_epoch: the last wins
        "32 00  42 02 08 01  42 02 08 00", // a later explicit 0 overwrites, as parsing the concatenation does
        "b2 01 02 0a 00  b2 01 04 0a 02 08 07"); // sync_blocks twice: blocks appended
    for (String c : cases) {
      byte[] bytes = hex(c);
      assertEquals(ProtoSchema.request(DynamicMessage.parseFrom(ProtoSchema.REQUEST, bytes)), Request.decode(bytes), c);
    }
    assertEquals(new Request.AdvanceEpoch(1, 0, 3), Request.decode(hex(cases.get(0))));
    List<String> responses = List.of(
        "22 01 61  32 02 08 05", // error, then an epoch: the epoch wins
        "32 02 08 05  22 01 61", // and the other way round
        "22 01 61  22 01 62", // two errors: the last
        "aa 01 04 0a 02 08 01  aa 01 06 0a 02 08 02 10 02"); // two ranges: blocks appended, count from the last
    for (String c : responses) {
      byte[] bytes = hex(c);
      assertEquals(ProtoSchema.response(DynamicMessage.parseFrom(ProtoSchema.RESPONSE, bytes)), Response.decode(bytes), c);
    }
  }

  @Test
  void aMalformedOccurrenceIsRejectedEvenWhenALaterOneReplacesIt() {
    // An advance_epoch body holding a truncated varint, then a valid get_current_epoch.
    String bytes = "42 02 08 ff  32 00";
    assertThrows(InvalidProtocolBufferException.class, () -> DynamicMessage.parseFrom(ProtoSchema.REQUEST, hex(bytes)));
    assertTrue(rejected(Request::decode, bytes).contains("truncated varint"));
  }

  @Test
  void unsupportedRejectsServedAndInvalidNumbers() {
    assertThrows(IllegalArgumentException.class, () -> new Request.Unsupported(6));
    assertThrows(IllegalArgumentException.class, () -> new Request.Unsupported(0));
    assertThrows(IllegalArgumentException.class, () -> new Request.Unsupported(1 << 29));
    assertArrayEquals(hex("6a 00"), new Request.Unsupported(13).encode());
    assertThrows(IllegalArgumentException.class, () -> new Request.Unsupported(30));
  }

  @Test
  void recordsCopyTheirArrays() {
    byte[] hash = {1, 2, 3};
    BlockData b = new BlockData(1, hash, 0, 0, null, null, null, null, 0, 0, null);
    hash[0] = 9;
    assertEquals(1, b.blockHash()[0]);
    b.blockHash()[1] = 9;
    assertEquals(2, b.blockHash()[1]);
    assertEquals(0, b.parentHash().length);
    assertEquals(b, new BlockData(1, new byte[] {1, 2, 3}, 0, 0, new byte[0], null, null, null, 0, 0, null));
    assertEquals(b.hashCode(), new BlockData(1, new byte[] {1, 2, 3}, 0, 0, null, null, null, null, 0, 0, null).hashCode());
    assertTrue(b.toString().contains("block_hash=010203"), b.toString());
    assertTrue(new Response.CurrentEpoch(-1).toString().contains("18446744073709551615"));
    if (b.encodedSize() != b.encode().length) {
      fail("encodedSize " + b.encodedSize() + " != " + b.encode().length);
    }
  }
}
