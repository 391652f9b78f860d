package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peerlink.transport.api.testing.AllocationMeter;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * Fuzzes the protobuf codec with arbitrary bytes: {@code queryChannel} decodes each input as a
 * {@link Request}, a {@link Response}, a bare {@link BlockData} and a {@link ValidatorInfo} (what
 * crosses the query channel); {@code blockChannel} decodes it as {@link CommittedEpochData} (and so
 * {@link CommittedBlock} and {@link TransactionExe}) and as {@link ExecutableBlock}, and classifies
 * it with {@link BlockChannelMessage#kindOf}.
 *
 * <p>Properties, for every decoder: the only exception is {@link ProtocolException}; a decoded
 * message re-encodes to bytes that decode to an equal message and re-encode to the same bytes
 * (encoding is canonical); {@code toString()} works; and decoding allocates at most
 * {@link #BYTES_PER_INPUT_BYTE} bytes per input byte plus a fixed slack, so memory follows the
 * input and never a length or count the input claims. Jazzer's own limits add hang detection
 * ({@code -timeout}) and an OOM finding under the fuzz run's {@code -Xmx}.
 *
 * <p>Seeds: {@code src/test/resources/io/peerlink/discovery/core/protocol/ProtocolFuzzTestInputs/<method>/},
 * among them PROTOCOL.md's worked examples. CI fuzzes each method for 30 s (see the {@code fuzz}
 * profile in this module's pom).
 */
class ProtocolFuzzTest {

  /**
   * The most a decoder may allocate per input byte. Objects cost more than their wire bytes: an
   * empty repeated BlockData is 2 bytes on the wire ({@code 0a 00}) and a record, a sub-reader and
   * list slots in memory, as in protobuf-java and Go. This bound is linear, which is the point.
   */
  static final long BYTES_PER_INPUT_BYTE = 128;
  /** For the exception, its message and stack trace. */
  static final long FIXED_SLACK = 64 * 1024;

  @FuzzTest(maxDuration = "30s")
  void queryChannel(byte[] data) throws Throwable {
    check(data, "Request", Request::decode, Request::encode);
    check(data, "Response", Response::decode, Response::encode);
    check(data, "BlockData", BlockData::decode, BlockData::encode);
    check(data, "ValidatorInfo", ValidatorInfo::decode, ValidatorInfo::encode);
  }

  @FuzzTest(maxDuration = "30s")
  void blockChannel(byte[] data) throws Throwable {
    check(data, "CommittedEpochData", CommittedEpochData::decode, CommittedEpochData::encode);
    check(data, "ExecutableBlock", ExecutableBlock::decode, ExecutableBlock::encode);
    try {
      BlockChannelMessage.kindOf(data);
    } catch (ProtocolException e) {
      assertNotNull(e.getMessage(), "a ProtocolException says what was wrong");
    }
  }

  /** A decoder: bytes to a message, or a ProtocolException. */
  @FunctionalInterface
  interface Decoder<T> {
    T decode(byte[] bytes) throws ProtocolException;
  }

  private static <T> void check(byte[] data, String type, Decoder<T> decoder, Function<T, byte[]> encoder)
      throws Throwable {
    AllocationMeter.Measured<T> run = AllocationMeter.measure(() -> decoder.decode(data));
    String input = HexFormat.of().formatHex(data);
    long bound = FIXED_SLACK + BYTES_PER_INPUT_BYTE * data.length;
    if (AllocationMeter.isSupported() && run.bytes() > bound) {
      // The first pass through a path may load and instrument classes; decoding is deterministic,
      // so a repeat costs only what the decoder itself allocates.
      long repeat = AllocationMeter.measure(() -> decoder.decode(data)).bytes();
      if (repeat > bound) {
        fail(type + ".decode allocated " + repeat + " bytes for " + data.length + " input bytes (bound " + bound
            + "): " + input);
      }
    }
    if (run.thrown() != null) {
      if (run.thrown() instanceof ProtocolException) {
        assertNotNull(run.thrown().getMessage(), "a ProtocolException says what was wrong");
        return;
      }
      throw run.thrown();
    }
    T decoded = run.value();
    assertNotNull(decoded.toString());
    byte[] encoded = encoder.apply(decoded);
    T again = decoder.decode(encoded);
    assertEquals(decoded, again, () -> type + " " + input + " -> " + HexFormat.of().formatHex(encoded));
    assertArrayEquals(encoded, encoder.apply(again), () -> type + ": encoding is canonical, input " + input);
  }
}
