package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DynamicMessage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-made codec against protobuf-java, both directions, on random values (0 and 2^64-1
 * included), empty and non-empty bytes, repeated fields, and unknown fields of every wire type
 * mixed in at every level, in any field order.
 */
class ProtobufIdentityTest {

  private static final int ITERATIONS = 2_000;

  /** Encoding and decoding of one message type, ours and protobuf-java's side by side. */
  private interface Case<T> {
    byte[] encode(T value);

    T decode(byte[] bytes) throws ProtocolException;

    DynamicMessage toDynamic(T value);

    T fromDynamic(DynamicMessage m);
  }

  private static <T> void check(long seed, Case<T> c, java.util.function.Function<Random, T> generator) throws Exception {
    Random rnd = new Random(seed);
    for (int i = 0; i < ITERATIONS; i++) {
      T value = generator.apply(rnd);
      String where = "iteration " + i + " (seed " + seed + "): " + value;
      DynamicMessage reference = c.toDynamic(value);

      // Our bytes are protobuf-java's bytes.
      byte[] ours = c.encode(value);
      assertArrayEquals(reference.toByteArray(), ours, where);

      // protobuf-java reads our bytes back to the value; we read its bytes back to the value.
      DynamicMessage parsed = DynamicMessage.parseFrom(reference.getDescriptorForType(), ours);
      assertEquals(value, c.fromDynamic(parsed), where);
      assertEquals(value, c.decode(reference.toByteArray()), where);

      // With unknown fields of every wire type at every level and the fields in any order, both
      // still read the same value, and re-encoding gives the canonical bytes.
      byte[] noisy = ProtoSchema.scrambled(ProtoSchema.withUnknowns(reference, rnd), rnd);
      DynamicMessage parsedNoisy = DynamicMessage.parseFrom(reference.getDescriptorForType(), noisy);
      assertEquals(value, c.fromDynamic(parsedNoisy), where);
      T decoded = c.decode(noisy);
      assertEquals(value, decoded, where);
      assertArrayEquals(ProtoSchema.withoutUnknowns(parsedNoisy).toByteArray(), c.encode(decoded), where);
    }
  }

  @Test
  void blockData() throws Exception {
    check(1, new Case<BlockData>() {
      public byte[] encode(BlockData v) {
        return v.encode();
      }

      public BlockData decode(byte[] b) throws ProtocolException {
        return BlockData.decode(b);
      }

      public DynamicMessage toDynamic(BlockData v) {
        return ProtoSchema.toDynamic(v);
      }

      public BlockData fromDynamic(DynamicMessage m) {
        return ProtoSchema.blockData(m);
      }
    }, Values::block);
  }

  @Test
  void committedEpochData() throws Exception {
    check(2, new Case<CommittedEpochData>() {
      public byte[] encode(CommittedEpochData v) {
        return v.encode();
      }

      public CommittedEpochData decode(byte[] b) throws ProtocolException {
        return CommittedEpochData.decode(b);
      }

      public DynamicMessage toDynamic(CommittedEpochData v) {
        return ProtoSchema.toDynamic(v);
      }

      public CommittedEpochData fromDynamic(DynamicMessage m) {
        return ProtoSchema.committedEpochData(m);
      }
    }, Values::commit);
  }

  @Test
  void request() throws Exception {
    check(3, new Case<Request>() {
      public byte[] encode(Request v) {
        return v.encode();
      }

      public Request decode(byte[] b) throws ProtocolException {
        return Request.decode(b);
      }

      public DynamicMessage toDynamic(Request v) {
        return ProtoSchema.toDynamic(v);
      }

      public Request fromDynamic(DynamicMessage m) {
        return ProtoSchema.request(m);
      }
    }, Values::request);
  }

  @Test
  void response() throws Exception {
    check(4, new Case<Response>() {
      public byte[] encode(Response v) {
        return v.encode();
      }

      public Response decode(byte[] b) throws ProtocolException {
        return Response.decode(b);
      }

      public DynamicMessage toDynamic(Response v) {
        return ProtoSchema.toDynamic(v);
      }

      public Response fromDynamic(DynamicMessage m) {
        return ProtoSchema.response(m);
      }
    }, Values::response);
  }

  @Test
  void singleTransactionAndBlockMatchToo() throws Exception {
    Random rnd = new Random(5);
    for (int i = 0; i < ITERATIONS; i++) {
      CommittedEpochData c = Values.commit(rnd);
      for (CommittedBlock b : c.blocks()) {
        assertArrayEquals(ProtoSchema.toDynamic(b).toByteArray(), b.encode());
        assertEquals(b, CommittedBlock.decode(ProtoSchema.toDynamic(b).toByteArray()));
        for (TransactionExe t : b.transactions()) {
          assertArrayEquals(ProtoSchema.toDynamic(t).toByteArray(), t.encode());
          assertEquals(t, TransactionExe.decode(ProtoSchema.toDynamic(t).toByteArray()));
        }
      }
    }
  }

  @Test
  void emptyMessagesInTheOneofAreWritten() throws Exception {
    for (Response r : List.of(new Response.Error(""), new Response.LastBlockNumber(0), new Response.CurrentEpoch(0),
        new Response.EpochStartTimestamp(0), new Response.AdvanceEpochResult(0, 0),
        new Response.BlocksRange(List.of(), 0, ""), new Response.SyncBlocksResult(0, 0, ""))) {
      byte[] bytes = r.encode();
      assertArrayEquals(ProtoSchema.toDynamic(r).toByteArray(), bytes, r.toString());
      assertEquals(WireWriter.tagSize(r.fieldNumber()) + 1, bytes.length, r.toString());
      assertEquals(r, Response.decode(bytes));
    }
    for (Request r : List.of(new Request.GetLastBlockNumber(), new Request.GetCurrentEpoch(),
        new Request.GetEpochStartTimestamp(), new Request.AdvanceEpoch(0, 0, 0), new Request.GetBlocksRange(0, 0),
        new Request.SyncBlocks(List.of()))) {
      byte[] bytes = r.encode();
      assertArrayEquals(ProtoSchema.toDynamic(r).toByteArray(), bytes, r.toString());
      assertEquals(r, Request.decode(bytes));
    }
  }

  @Test
  void loneSurrogatesAreWrittenAsProtobufJavaWritesThem() {
    // protobuf-java falls back to String.getBytes(UTF_8), which writes '?' for a lone surrogate.
    Response r = new Response.Error("a\uD800b\uDC00");
    assertArrayEquals(ProtoSchema.toDynamic(r).toByteArray(), r.encode());
  }
}
