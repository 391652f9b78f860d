package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The hand-made codec against protobuf-java and protoc's reading of {@code seed.proto}, for every
 * message of the protocol, both directions: random values (0 and 2^64-1 included), empty and
 * non-empty bytes and strings, repeated fields; then unknown fields of every wire type mixed in at
 * every level, in any field order, which both must keep.
 */
class ProtobufIdentityTest {

  private static final int ITERATIONS = 2_000;

  /** Our decoder of one message type. */
  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] bytes) throws ProtocolException;
  }

  private static <T> void check(long seed, Descriptor d, Function<DynamicMessage, T> fromReference, Decoder<T> decoder,
      Function<T, byte[]> encoder) throws Exception {
    Random rnd = new Random(seed);
    Set<Integer> members = new TreeSet<>();
    for (int i = 0; i < ITERATIONS; i++) {
      DynamicMessage reference = ProtoSchema.random(d, rnd);
      T value = fromReference.apply(reference);
      String where = d.getName() + " iteration " + i + " (seed " + seed + "): " + value;
      if (!d.getOneofs().isEmpty()) {
        members.add(reference.getOneofFieldDescriptor(d.getOneofs().get(0)).getNumber());
      }

      // Our bytes are protobuf-java's bytes; each reads the other's back to the same value.
      byte[] ours = encoder.apply(value);
      assertArrayEquals(reference.toByteArray(), ours, where);
      assertEquals(reference, DynamicMessage.parseFrom(d, ours), where);
      assertEquals(value, decoder.decode(reference.toByteArray()), where);

      // With unknown fields of every wire type at every level and the fields in any order, both
      // read the same message, unknown fields included, and ours writes it back whole.
      byte[] noisy = ProtoSchema.scrambled(ProtoSchema.withUnknowns(reference, rnd), rnd);
      DynamicMessage theirs = ProtoSchema.comparable(DynamicMessage.parseFrom(d, noisy));
      T decoded = decoder.decode(noisy);
      assertEquals(theirs, ProtoSchema.toDynamic(decoded, d), where);
      byte[] again = encoder.apply(decoded);
      assertEquals(theirs, ProtoSchema.comparable(DynamicMessage.parseFrom(d, again)), where);
      assertArrayEquals(again, encoder.apply(decoder.decode(again)), where + ": encoding is canonical");
    }
    if (!d.getOneofs().isEmpty()) {
      Set<Integer> all = new TreeSet<>();
      for (FieldDescriptor f : d.getFields()) {
        all.add(f.getNumber());
      }
      assertEquals(all, members, d.getName() + ": every member was checked");
    }
  }

  @Test
  void blockData() throws Exception {
    check(1, ProtoSchema.BLOCK_DATA, ProtoSchema::blockData, BlockData::decode, BlockData::encode);
  }

  @Test
  void committedEpochData() throws Exception {
    check(2, ProtoSchema.COMMITTED_EPOCH_DATA, ProtoSchema::committedEpochData, CommittedEpochData::decode,
        CommittedEpochData::encode);
  }

  @Test
  void request() throws Exception {
    check(3, ProtoSchema.REQUEST, ProtoSchema::request, Request::decode, Request::encode);
  }

  @Test
  void response() throws Exception {
    check(4, ProtoSchema.RESPONSE, ProtoSchema::response, Response::decode, Response::encode);
  }

  @Test
  void validatorInfo() throws Exception {
    check(5, ProtoSchema.VALIDATOR_INFO, m -> ProtoSchema.fromDynamic(m, ValidatorInfo.class), ValidatorInfo::decode,
        ValidatorInfo::encode);
  }

  @Test
  void executableBlock() throws Exception {
    check(6, ProtoSchema.EXECUTABLE_BLOCK, m -> ProtoSchema.fromDynamic(m, ExecutableBlock.class),
        ExecutableBlock::decode, ExecutableBlock::encode);
  }

  @Test
  void committedBlockAndTransaction() throws Exception {
    check(7, ProtoSchema.COMMITTED_BLOCK, m -> ProtoSchema.fromDynamic(m, CommittedBlock.class),
        CommittedBlock::decode, CommittedBlock::encode);
    check(8, ProtoSchema.TRANSACTION_EXE, m -> ProtoSchema.fromDynamic(m, TransactionExe.class),
        TransactionExe::decode, TransactionExe::encode);
  }

  @Test
  void epochBoundaryDataAloneMatchesToo() throws Exception {
    Descriptor d = io.peerlink.discovery.core.proto.Seed.EpochBoundaryData.getDescriptor();
    check(9, d, m -> ProtoSchema.fromDynamic(m, Response.EpochBoundaryData.class),
        Response.EpochBoundaryData::decodeMessage, Response.EpochBoundaryData::encodeMessage);
  }

  @Test
  void emptyMessagesInTheOneofAreWritten() throws Exception {
    for (Response r : List.of(new Response.Error(""), new Response.LastBlockNumber(0), new Response.CurrentEpoch(0),
        new Response.EpochStartTimestamp(0), new Response.AdvanceEpochResult(0, 0),
        new Response.BlocksRange(List.of(), 0, ""), new Response.SyncBlocksResult(0, 0, ""),
        new Response.ServerStatus("", 0), new Response.ValidatorInfoList(List.of(), 0, 0),
        new Response.EpochBoundaryData(0, 0, 0, List.of()), new Response.WaitForSyncToBlockResult(false, 0, ""))) {
      byte[] bytes = r.encode();
      assertArrayEquals(ProtoSchema.toDynamic(r).toByteArray(), bytes, r.toString());
      assertEquals(WireWriter.tagSize(r.fieldNumber()) + 1, bytes.length, r.toString());
      assertEquals(r, Response.decode(bytes));
    }
    for (Request r : List.of(new Request.GetLastBlockNumber(), new Request.GetCurrentEpoch(),
        new Request.GetEpochStartTimestamp(), new Request.AdvanceEpoch(0, 0, 0), new Request.GetBlocksRange(0, 0),
        new Request.SyncBlocks(List.of()), new Request.Status(), new Request.GetEpochBoundaryData(0),
        new Request.WaitForSyncToBlock(0, 0))) {
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
