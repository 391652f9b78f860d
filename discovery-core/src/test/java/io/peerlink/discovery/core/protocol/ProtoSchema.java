package io.peerlink.discovery.core.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The seed's messages as protobuf-java descriptors, written from PROTOCOL.md's field tables and
 * built at run time (no protoc), with conversions between our records and {@link DynamicMessage}.
 * This is the reference the hand-made codec is checked against.
 */
final class ProtoSchema {

  static final FileDescriptor FILE = build();
  static final Descriptor BLOCK_DATA = FILE.findMessageTypeByName("BlockData");
  static final Descriptor TRANSACTION_EXE = FILE.findMessageTypeByName("TransactionExe");
  static final Descriptor COMMITTED_BLOCK = FILE.findMessageTypeByName("CommittedBlock");
  static final Descriptor COMMITTED_EPOCH_DATA = FILE.findMessageTypeByName("CommittedEpochData");
  static final Descriptor REQUEST = FILE.findMessageTypeByName("Request");
  static final Descriptor RESPONSE = FILE.findMessageTypeByName("Response");

  private ProtoSchema() {
  }

  private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
        .setLabel(Label.LABEL_OPTIONAL);
  }

  private static FieldDescriptorProto.Builder message(String name, int number, String typeName) {
    return field(name, number, Type.TYPE_MESSAGE).setTypeName(".peerlink.test." + typeName);
  }

  private static FieldDescriptorProto.Builder repeated(String name, int number, String typeName) {
    return message(name, number, typeName).setLabel(Label.LABEL_REPEATED);
  }

  private static DescriptorProto msg(String name, FieldDescriptorProto.Builder... fields) {
    DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
    for (FieldDescriptorProto.Builder f : fields) {
      b.addField(f);
    }
    return b.build();
  }

  private static DescriptorProto oneofMsg(String name, FieldDescriptorProto.Builder... fields) {
    DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name)
        .addOneofDecl(OneofDescriptorProto.newBuilder().setName("payload"));
    for (FieldDescriptorProto.Builder f : fields) {
      b.addField(f.setOneofIndex(0));
    }
    return b.build();
  }

  private static FileDescriptor build() {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("peerlink_test.proto").setPackage("peerlink.test").setSyntax("proto3")
        .addMessageType(msg("BlockData",
            field("block_number", 1, Type.TYPE_UINT64), field("block_hash", 2, Type.TYPE_BYTES),
            field("epoch", 3, Type.TYPE_UINT64), field("timestamp_ms", 4, Type.TYPE_UINT64),
            field("parent_hash", 5, Type.TYPE_BYTES), field("state_root", 6, Type.TYPE_BYTES),
            field("transactions_root", 7, Type.TYPE_BYTES), field("receipts_root", 8, Type.TYPE_BYTES),
            field("gas_used", 9, Type.TYPE_UINT64), field("gas_limit", 10, Type.TYPE_UINT64),
            field("extra_data", 11, Type.TYPE_BYTES)))
        .addMessageType(msg("TransactionExe", field("digest", 1, Type.TYPE_BYTES), field("worker_id", 2, Type.TYPE_UINT32)))
        .addMessageType(msg("CommittedBlock", field("epoch", 1, Type.TYPE_UINT64), field("height", 2, Type.TYPE_UINT64),
            repeated("transactions", 3, "TransactionExe")))
        .addMessageType(msg("CommittedEpochData", repeated("blocks", 1, "CommittedBlock"),
            field("global_exec_index", 2, Type.TYPE_UINT64), field("commit_index", 3, Type.TYPE_UINT32)))
        .addMessageType(msg("GetLastBlockNumberRequest"))
        .addMessageType(msg("GetCurrentEpochRequest"))
        .addMessageType(msg("GetEpochStartTimestampRequest"))
        .addMessageType(msg("AdvanceEpochRequest", field("new_epoch", 1, Type.TYPE_UINT64),
            field("epoch_start_timestamp_ms", 2, Type.TYPE_UINT64), field("boundary_block", 3, Type.TYPE_UINT64)))
        .addMessageType(msg("GetBlocksRangeRequest", field("from_block", 1, Type.TYPE_UINT64),
            field("to_block", 2, Type.TYPE_UINT64)))
        .addMessageType(msg("SyncBlocksRequest", repeated("blocks", 1, "BlockData")))
        .addMessageType(oneofMsg("Request",
            message("get_last_block_number_request", 5, "GetLastBlockNumberRequest"),
            message("get_current_epoch_request", 6, "GetCurrentEpochRequest"),
            message("get_epoch_start_timestamp_request", 7, "GetEpochStartTimestampRequest"),
            message("advance_epoch_request", 8, "AdvanceEpochRequest"),
            message("get_blocks_range_request", 21, "GetBlocksRangeRequest"),
            message("sync_blocks_request", 22, "SyncBlocksRequest")))
        .addMessageType(msg("LastBlockNumberResponse", field("last_block_number", 1, Type.TYPE_UINT64)))
        .addMessageType(msg("GetCurrentEpochResponse", field("epoch", 1, Type.TYPE_UINT64)))
        .addMessageType(msg("GetEpochStartTimestampResponse", field("timestamp_ms", 1, Type.TYPE_UINT64)))
        .addMessageType(msg("AdvanceEpochResponse", field("new_epoch", 1, Type.TYPE_UINT64),
            field("epoch_start_timestamp_ms", 2, Type.TYPE_UINT64)))
        .addMessageType(msg("GetBlocksRangeResponse", repeated("blocks", 1, "BlockData"),
            field("count", 2, Type.TYPE_UINT64), field("error", 3, Type.TYPE_STRING)))
        .addMessageType(msg("SyncBlocksResponse", field("synced_count", 1, Type.TYPE_UINT64),
            field("last_synced_block", 2, Type.TYPE_UINT64), field("error", 3, Type.TYPE_STRING)))
        .addMessageType(oneofMsg("Response",
            field("error", 4, Type.TYPE_STRING),
            message("last_block_number_response", 5, "LastBlockNumberResponse"),
            message("get_current_epoch_response", 6, "GetCurrentEpochResponse"),
            message("get_epoch_start_timestamp_response", 7, "GetEpochStartTimestampResponse"),
            message("advance_epoch_response", 8, "AdvanceEpochResponse"),
            message("get_blocks_range_response", 21, "GetBlocksRangeResponse"),
            message("sync_blocks_response", 22, "SyncBlocksResponse")))
        .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[0]);
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- records -> DynamicMessage

  private static DynamicMessage.Builder builder(Descriptor d) {
    return DynamicMessage.newBuilder(d);
  }

  private static DynamicMessage.Builder set(DynamicMessage.Builder b, String name, Object value) {
    return b.setField(b.getDescriptorForType().findFieldByName(name), value);
  }

  private static DynamicMessage.Builder add(DynamicMessage.Builder b, String name, Object value) {
    return b.addRepeatedField(b.getDescriptorForType().findFieldByName(name), value);
  }

  static DynamicMessage toDynamic(BlockData b) {
    DynamicMessage.Builder m = builder(BLOCK_DATA);
    set(m, "block_number", b.blockNumber());
    set(m, "block_hash", ByteString.copyFrom(b.blockHash()));
    set(m, "epoch", b.epoch());
    set(m, "timestamp_ms", b.timestampMs());
    set(m, "parent_hash", ByteString.copyFrom(b.parentHash()));
    set(m, "state_root", ByteString.copyFrom(b.stateRoot()));
    set(m, "transactions_root", ByteString.copyFrom(b.transactionsRoot()));
    set(m, "receipts_root", ByteString.copyFrom(b.receiptsRoot()));
    set(m, "gas_used", b.gasUsed());
    set(m, "gas_limit", b.gasLimit());
    set(m, "extra_data", ByteString.copyFrom(b.extraData()));
    return m.build();
  }

  static DynamicMessage toDynamic(TransactionExe t) {
    DynamicMessage.Builder m = builder(TRANSACTION_EXE);
    set(m, "digest", ByteString.copyFrom(t.digest()));
    set(m, "worker_id", t.workerId());
    return m.build();
  }

  static DynamicMessage toDynamic(CommittedBlock c) {
    DynamicMessage.Builder m = builder(COMMITTED_BLOCK);
    set(m, "epoch", c.epoch());
    set(m, "height", c.height());
    for (TransactionExe t : c.transactions()) {
      add(m, "transactions", toDynamic(t));
    }
    return m.build();
  }

  static DynamicMessage toDynamic(CommittedEpochData c) {
    DynamicMessage.Builder m = builder(COMMITTED_EPOCH_DATA);
    for (CommittedBlock b : c.blocks()) {
      add(m, "blocks", toDynamic(b));
    }
    set(m, "global_exec_index", c.globalExecIndex());
    set(m, "commit_index", c.commitIndex());
    return m.build();
  }

  private static DynamicMessage sub(Descriptor parent, int field, Object... nameValues) {
    DynamicMessage.Builder m = builder(parent.findFieldByNumber(field).getMessageType());
    for (int i = 0; i < nameValues.length; i += 2) {
      set(m, (String) nameValues[i], nameValues[i + 1]);
    }
    return m.build();
  }

  private static DynamicMessage withBlocks(Descriptor parent, int field, List<BlockData> blocks, Object... nameValues) {
    DynamicMessage.Builder m = sub(parent, field, nameValues).toBuilder();
    for (BlockData b : blocks) {
      add(m, "blocks", toDynamic(b));
    }
    return m.build();
  }

  static DynamicMessage toDynamic(Request r) {
    DynamicMessage payload;
    if (r instanceof Request.AdvanceEpoch) {
      Request.AdvanceEpoch a = (Request.AdvanceEpoch) r;
      payload = sub(REQUEST, 8, "new_epoch", a.newEpoch(), "epoch_start_timestamp_ms", a.epochStartTimestampMs(),
          "boundary_block", a.boundaryBlock());
    } else if (r instanceof Request.GetBlocksRange) {
      Request.GetBlocksRange g = (Request.GetBlocksRange) r;
      payload = sub(REQUEST, 21, "from_block", g.fromBlock(), "to_block", g.toBlock());
    } else if (r instanceof Request.SyncBlocks) {
      payload = withBlocks(REQUEST, 22, ((Request.SyncBlocks) r).blocks());
    } else {
      payload = sub(REQUEST, r.fieldNumber());
    }
    return builder(REQUEST).setField(REQUEST.findFieldByNumber(r.fieldNumber()), payload).build();
  }

  static DynamicMessage toDynamic(Response r) {
    FieldDescriptor f = RESPONSE.findFieldByNumber(r.fieldNumber());
    Object payload;
    if (r instanceof Response.Error) {
      payload = ((Response.Error) r).message();
    } else if (r instanceof Response.LastBlockNumber) {
      payload = sub(RESPONSE, 5, "last_block_number", ((Response.LastBlockNumber) r).lastBlockNumber());
    } else if (r instanceof Response.CurrentEpoch) {
      payload = sub(RESPONSE, 6, "epoch", ((Response.CurrentEpoch) r).epoch());
    } else if (r instanceof Response.EpochStartTimestamp) {
      payload = sub(RESPONSE, 7, "timestamp_ms", ((Response.EpochStartTimestamp) r).timestampMs());
    } else if (r instanceof Response.AdvanceEpochResult) {
      Response.AdvanceEpochResult a = (Response.AdvanceEpochResult) r;
      payload = sub(RESPONSE, 8, "new_epoch", a.newEpoch(), "epoch_start_timestamp_ms", a.epochStartTimestampMs());
    } else if (r instanceof Response.BlocksRange) {
      Response.BlocksRange b = (Response.BlocksRange) r;
      payload = withBlocks(RESPONSE, 21, b.blocks(), "count", b.count(), "error", b.error());
    } else {
      Response.SyncBlocksResult s = (Response.SyncBlocksResult) r;
      payload = sub(RESPONSE, 22, "synced_count", s.syncedCount(), "last_synced_block", s.lastSyncedBlock(),
          "error", s.error());
    }
    return builder(RESPONSE).setField(f, payload).build();
  }

  // ---- DynamicMessage -> records (reads only known fields, as our decoder does)

  private static long u64(DynamicMessage m, String name) {
    return (Long) m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  private static byte[] bytes(DynamicMessage m, String name) {
    return ((ByteString) m.getField(m.getDescriptorForType().findFieldByName(name))).toByteArray();
  }

  private static String string(DynamicMessage m, String name) {
    return (String) m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  @SuppressWarnings("unchecked")
  private static List<DynamicMessage> list(DynamicMessage m, String name) {
    return (List<DynamicMessage>) m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  private static List<BlockData> blocks(DynamicMessage m) {
    List<BlockData> out = new ArrayList<>();
    for (DynamicMessage b : list(m, "blocks")) {
      out.add(blockData(b));
    }
    return out;
  }

  static BlockData blockData(DynamicMessage m) {
    return new BlockData(u64(m, "block_number"), bytes(m, "block_hash"), u64(m, "epoch"), u64(m, "timestamp_ms"),
        bytes(m, "parent_hash"), bytes(m, "state_root"), bytes(m, "transactions_root"), bytes(m, "receipts_root"),
        u64(m, "gas_used"), u64(m, "gas_limit"), bytes(m, "extra_data"));
  }

  static CommittedEpochData committedEpochData(DynamicMessage m) {
    List<CommittedBlock> blocks = new ArrayList<>();
    for (DynamicMessage b : list(m, "blocks")) {
      List<TransactionExe> txs = new ArrayList<>();
      for (DynamicMessage t : list(b, "transactions")) {
        txs.add(new TransactionExe(bytes(t, "digest"), (Integer) t.getField(TRANSACTION_EXE.findFieldByName("worker_id"))));
      }
      blocks.add(new CommittedBlock(u64(b, "epoch"), u64(b, "height"), txs));
    }
    return new CommittedEpochData(blocks, u64(m, "global_exec_index"),
        (Integer) m.getField(COMMITTED_EPOCH_DATA.findFieldByName("commit_index")));
  }

  /** The request protobuf-java parsed, or null when no call is set. */
  static Request request(DynamicMessage m) {
    FieldDescriptor f = m.getOneofFieldDescriptor(REQUEST.getOneofs().get(0));
    if (f == null) {
      return null;
    }
    DynamicMessage p = (DynamicMessage) m.getField(f);
    switch (f.getNumber()) {
      case 5:
        return new Request.GetLastBlockNumber();
      case 6:
        return new Request.GetCurrentEpoch();
      case 7:
        return new Request.GetEpochStartTimestamp();
      case 8:
        return new Request.AdvanceEpoch(u64(p, "new_epoch"), u64(p, "epoch_start_timestamp_ms"), u64(p, "boundary_block"));
      case 21:
        return new Request.GetBlocksRange(u64(p, "from_block"), u64(p, "to_block"));
      default:
        return new Request.SyncBlocks(blocks(p));
    }
  }

  /** The response protobuf-java parsed, or null when no payload is set. */
  static Response response(DynamicMessage m) {
    FieldDescriptor f = m.getOneofFieldDescriptor(RESPONSE.getOneofs().get(0));
    if (f == null) {
      return null;
    }
    if (f.getNumber() == 4) {
      return new Response.Error((String) m.getField(f));
    }
    DynamicMessage p = (DynamicMessage) m.getField(f);
    switch (f.getNumber()) {
      case 5:
        return new Response.LastBlockNumber(u64(p, "last_block_number"));
      case 6:
        return new Response.CurrentEpoch(u64(p, "epoch"));
      case 7:
        return new Response.EpochStartTimestamp(u64(p, "timestamp_ms"));
      case 8:
        return new Response.AdvanceEpochResult(u64(p, "new_epoch"), u64(p, "epoch_start_timestamp_ms"));
      case 21:
        return new Response.BlocksRange(blocks(p), u64(p, "count"), string(p, "error"));
      default:
        return new Response.SyncBlocksResult(u64(p, "synced_count"), u64(p, "last_synced_block"), string(p, "error"));
    }
  }

  // ---- unknown fields and reordering

  /**
   * A copy of {@code m} with random unknown fields of every wire type added to it and to every
   * message inside it: numbers the message does not use, and the numbers it uses with a wire type
   * other than theirs (which protobuf treats as unknown too).
   */
  static DynamicMessage withUnknowns(DynamicMessage m, Random rnd) {
    DynamicMessage.Builder b = m.toBuilder();
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        List<DynamicMessage> items = new ArrayList<>();
        for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
          items.add(withUnknowns((DynamicMessage) m.getRepeatedField(f, i), rnd));
        }
        b.clearField(f);
        for (DynamicMessage item : items) {
          b.addRepeatedField(f, item);
        }
      } else if (m.hasField(f)) {
        b.setField(f, withUnknowns((DynamicMessage) m.getField(f), rnd));
      }
    }
    b.setUnknownFields(randomUnknowns(m.getDescriptorForType(), rnd, 0));
    return b.build();
  }

  private static UnknownFieldSet randomUnknowns(Descriptor d, Random rnd, int depth) {
    UnknownFieldSet.Builder set = UnknownFieldSet.newBuilder();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      int wireType = new int[] {WireFormat.WIRETYPE_VARINT, WireFormat.WIRETYPE_FIXED64,
          WireFormat.WIRETYPE_LENGTH_DELIMITED, WireFormat.WIRETYPE_START_GROUP, WireFormat.WIRETYPE_FIXED32}[rnd.nextInt(5)];
      int number = unknownNumber(d, wireType, rnd);
      UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
      switch (wireType) {
        case WireFormat.WIRETYPE_VARINT:
          f.addVarint(Values.u64(rnd));
          break;
        case WireFormat.WIRETYPE_FIXED64:
          f.addFixed64(rnd.nextLong());
          break;
        case WireFormat.WIRETYPE_LENGTH_DELIMITED:
          f.addLengthDelimited(ByteString.copyFrom(Values.bytes(rnd)));
          break;
        case WireFormat.WIRETYPE_START_GROUP:
          f.addGroup(depth < 3 ? randomUnknowns(null, rnd, depth + 1) : UnknownFieldSet.getDefaultInstance());
          break;
        default:
          f.addFixed32(rnd.nextInt());
      }
      set.mergeField(number, f.build());
    }
    return set.build();
  }

  private static int unknownNumber(Descriptor d, int wireType, Random rnd) {
    while (true) {
      int number = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(536_870_911) : 1 + rnd.nextInt(40);
      if (number >= 19_000 && number <= 19_999) {
        continue; // reserved for the protobuf implementation; protoc would refuse them
      }
      FieldDescriptor known = d == null ? null : d.findFieldByNumber(number);
      if (known == null || expectedWireType(known) != wireType) {
        return number;
      }
    }
  }

  private static int expectedWireType(FieldDescriptor f) {
    switch (f.getType()) {
      case MESSAGE:
      case BYTES:
      case STRING:
        return WireFormat.WIRETYPE_LENGTH_DELIMITED;
      default:
        return WireFormat.WIRETYPE_VARINT;
    }
  }

  /**
   * The message's bytes with its fields in a random order (repeated elements keep theirs), its
   * unknown fields interleaved, recursively: what another writer may legally produce.
   */
  static byte[] scrambled(DynamicMessage m, Random rnd) {
    List<byte[]> segments = new ArrayList<>();
    List<Integer> groupOf = new ArrayList<>(); // field number for ordered repeated elements, 0 otherwise
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      if (f.isRepeated()) {
        for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
          segments.add(lenField(f.getNumber(), scrambled((DynamicMessage) m.getRepeatedField(f, i), rnd)));
          groupOf.add(f.getNumber());
        }
      } else if (m.hasField(f)) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          segments.add(lenField(f.getNumber(), scrambled((DynamicMessage) m.getField(f), rnd)));
        } else {
          segments.add(DynamicMessage.newBuilder(m.getDescriptorForType()).setField(f, m.getField(f)).build().toByteArray());
        }
        groupOf.add(0);
      }
    }
    for (var e : m.getUnknownFields().asMap().entrySet()) {
      segments.add(UnknownFieldSet.newBuilder().addField(e.getKey(), e.getValue()).build().toByteArray());
      groupOf.add(0);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    // Put each repeated field's elements back in their own order, in the slots they drew.
    for (int number : groupOf.stream().filter(g -> g != 0).distinct().toList()) {
      List<Integer> slots = new ArrayList<>();
      List<Integer> members = new ArrayList<>();
      for (int slot = 0; slot < order.size(); slot++) {
        if (groupOf.get(order.get(slot)) == number) {
          slots.add(slot);
          members.add(order.get(slot));
        }
      }
      Collections.sort(members);
      for (int i = 0; i < slots.size(); i++) {
        order.set(slots.get(i), members.get(i));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i : order) {
      out.writeBytes(segments.get(i));
    }
    return out.toByteArray();
  }

  private static byte[] lenField(int number, byte[] body) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      c.writeByteArray(number, body);
      c.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The message without unknown fields, at any depth: what our records keep. */
  static DynamicMessage withoutUnknowns(DynamicMessage m) {
    DynamicMessage.Builder b = m.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance());
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
          b.setRepeatedField(f, i, withoutUnknowns((DynamicMessage) m.getRepeatedField(f, i)));
        }
      } else if (m.hasField(f)) {
        b.setField(f, withoutUnknowns((DynamicMessage) m.getField(f)));
      }
    }
    return b.build();
  }
}
