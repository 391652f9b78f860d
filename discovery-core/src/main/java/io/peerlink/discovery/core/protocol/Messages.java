package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Encoding and decoding of the two oneof messages, {@link Request} and {@link Response}. */
final class Messages {

  static final int MAX_FIELD_NUMBER = (1 << 29) - 1;
  private static final int ERROR = 4;

  private Messages() {
  }

  static boolean isServedRequest(int field) {
    return field == 5 || field == 6 || field == 7 || field == 8 || field == 21 || field == 22;
  }

  private static boolean isKnownResponse(int field) {
    return field == ERROR || isServedRequest(field);
  }

  // ---- encoding

  static byte[] encode(Request request) {
    if (request instanceof Request.AdvanceEpoch) {
      Request.AdvanceEpoch a = (Request.AdvanceEpoch) request;
      return uint64s(8, a.newEpoch(), a.epochStartTimestampMs(), a.boundaryBlock());
    }
    if (request instanceof Request.GetBlocksRange) {
      Request.GetBlocksRange g = (Request.GetBlocksRange) request;
      return uint64s(21, g.fromBlock(), g.toBlock());
    }
    if (request instanceof Request.SyncBlocks) {
      return blocks(22, ((Request.SyncBlocks) request).blocks(), 2, new long[0], null);
    }
    // The calls with an empty message, and Unsupported: tag + length 0.
    return uint64s(request.fieldNumber());
  }

  static byte[] encode(Response response) {
    if (response instanceof Response.Error) {
      // A oneof member has presence: an empty text is still written.
      byte[] text = WireWriter.utf8(((Response.Error) response).message());
      WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(ERROR, text.length));
      w.lenHeader(ERROR, text.length);
      w.raw(text);
      return w.finish();
    }
    if (response instanceof Response.LastBlockNumber) {
      return uint64s(5, ((Response.LastBlockNumber) response).lastBlockNumber());
    }
    if (response instanceof Response.CurrentEpoch) {
      return uint64s(6, ((Response.CurrentEpoch) response).epoch());
    }
    if (response instanceof Response.EpochStartTimestamp) {
      return uint64s(7, ((Response.EpochStartTimestamp) response).timestampMs());
    }
    if (response instanceof Response.AdvanceEpochResult) {
      Response.AdvanceEpochResult a = (Response.AdvanceEpochResult) response;
      return uint64s(8, a.newEpoch(), a.epochStartTimestampMs());
    }
    if (response instanceof Response.BlocksRange) {
      Response.BlocksRange b = (Response.BlocksRange) response;
      return blocks(21, b.blocks(), 2, new long[] {b.count()}, b.error());
    }
    Response.SyncBlocksResult s = (Response.SyncBlocksResult) response;
    return blocks(22, List.of(), 1, new long[] {s.syncedCount(), s.lastSyncedBlock()}, s.error());
  }

  /** A oneof member {@code field} holding a message of uint64 fields 1..n. */
  private static byte[] uint64s(int field, long... values) {
    int body = 0;
    for (int i = 0; i < values.length; i++) {
      body += WireWriter.uint64Size(i + 1, values[i]);
    }
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(field, body));
    w.lenHeader(field, body);
    for (int i = 0; i < values.length; i++) {
      w.uint64(i + 1, values[i]);
    }
    return w.finish();
  }

  /**
   * A oneof member {@code field} holding, in field order: repeated BlockData at field 1, uint64s
   * numbered from {@code firstValue}, then a string (when not null) numbered after them.
   */
  private static byte[] blocks(int field, List<BlockData> blocks, int firstValue, long[] values, String error) {
    long body = 0;
    for (BlockData b : blocks) {
      body += WireWriter.lenFieldSize(1, b.bodySize());
    }
    for (int i = 0; i < values.length; i++) {
      body += WireWriter.uint64Size(firstValue + i, values[i]);
    }
    byte[] text = error == null ? new byte[0] : WireWriter.utf8(error);
    int textField = firstValue + values.length;
    body += WireWriter.bytesSize(textField, text);
    int bodySize = WireWriter.checkedSize(body);
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(field, bodySize));
    w.lenHeader(field, bodySize);
    for (BlockData b : blocks) {
      w.lenHeader(1, b.bodySize());
      b.writeBody(w);
    }
    for (int i = 0; i < values.length; i++) {
      w.uint64(firstValue + i, values[i]);
    }
    w.bytes(textField, text);
    return w.finish();
  }

  // ---- decoding

  static Request decodeRequest(byte[] bytes) throws ProtocolException {
    Oneof o = Oneof.scan(bytes, Messages::isServedRequest, -1, Messages::readRequest);
    if (o.value != null) {
      return (Request) o.value;
    }
    if (isServedRequest(o.lastUnknownField)) {
      throw new ProtocolException("request field " + o.lastUnknownField + " has wire type "
          + o.lastUnknownWireType + " where a length-delimited message was expected");
    }
    if (o.lastUnknownField != 0) {
      return new Request.Unsupported(o.lastUnknownField);
    }
    throw new ProtocolException("request of " + bytes.length + " bytes carries no call (no payload field)");
  }

  static Response decodeResponse(byte[] bytes) throws ProtocolException {
    Oneof o = Oneof.scan(bytes, Messages::isKnownResponse, ERROR, Messages::readResponse);
    if (o.value != null) {
      return (Response) o.value;
    }
    if (o.errorText != null) {
      return new Response.Error(o.errorText);
    }
    throw new ProtocolException("response of " + bytes.length + " bytes carries no known payload"
        + (o.unknownFields.isEmpty() ? "" : " (unknown fields " + o.unknownFields + ")"));
  }

  private static Request readRequest(int field, WireReader r) throws ProtocolException {
    switch (field) {
      case 5:
        skipAll(r);
        return new Request.GetLastBlockNumber();
      case 6:
        skipAll(r);
        return new Request.GetCurrentEpoch();
      case 7:
        skipAll(r); // older clients' {1: epoch} is ignored
        return new Request.GetEpochStartTimestamp();
      case 8: {
        long[] v = readUint64s(r, 3);
        return new Request.AdvanceEpoch(v[0], v[1], v[2]);
      }
      case 21: {
        long[] v = readUint64s(r, 2);
        return new Request.GetBlocksRange(v[0], v[1]);
      }
      case 22: {
        List<BlockData> blocks = new ArrayList<>();
        while (r.hasMore()) {
          int tag = r.readTag();
          if (tag == ((1 << 3) | WireWriter.LEN)) {
            blocks.add(BlockData.read(r.readMessage()));
          } else {
            r.skip(tag);
          }
        }
        return new Request.SyncBlocks(blocks);
      }
      default:
        throw new IllegalStateException("not a served request field: " + field);
    }
  }

  private static Response readResponse(int field, WireReader r) throws ProtocolException {
    switch (field) {
      case 5:
        return new Response.LastBlockNumber(readUint64s(r, 1)[0]);
      case 6:
        return new Response.CurrentEpoch(readUint64s(r, 1)[0]);
      case 7:
        return new Response.EpochStartTimestamp(readUint64s(r, 1)[0]);
      case 8: {
        long[] v = readUint64s(r, 2);
        return new Response.AdvanceEpochResult(v[0], v[1]);
      }
      case 21: {
        List<BlockData> blocks = new ArrayList<>();
        long count = 0;
        String error = "";
        while (r.hasMore()) {
          int tag = r.readTag();
          if (tag == ((1 << 3) | WireWriter.LEN)) {
            blocks.add(BlockData.read(r.readMessage()));
          } else if (tag == ((2 << 3) | WireWriter.VARINT)) {
            count = r.readVarint();
          } else if (tag == ((3 << 3) | WireWriter.LEN)) {
            error = r.readString();
          } else {
            r.skip(tag);
          }
        }
        return new Response.BlocksRange(blocks, count, error);
      }
      case 22: {
        long synced = 0;
        long last = 0;
        String error = "";
        while (r.hasMore()) {
          int tag = r.readTag();
          if (tag == ((1 << 3) | WireWriter.VARINT)) {
            synced = r.readVarint();
          } else if (tag == ((2 << 3) | WireWriter.VARINT)) {
            last = r.readVarint();
          } else if (tag == ((3 << 3) | WireWriter.LEN)) {
            error = r.readString();
          } else {
            r.skip(tag);
          }
        }
        return new Response.SyncBlocksResult(synced, last, error);
      }
      default:
        throw new IllegalStateException("not a known response field: " + field);
    }
  }

  /** A message of uint64 fields numbered 1..n; other fields are skipped. */
  private static long[] readUint64s(WireReader r, int n) throws ProtocolException {
    long[] v = new long[n];
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      if (field <= n && WireReader.wireTypeOf(tag) == WireWriter.VARINT) {
        v[field - 1] = r.readVarint();
      } else {
        r.skip(tag);
      }
    }
    return v;
  }

  private static void skipAll(WireReader r) throws ProtocolException {
    while (r.hasMore()) {
      r.skip(r.readTag());
    }
  }

  /** Reads one oneof member's body. */
  @FunctionalInterface
  private interface CaseReader {
    Object read(int field, WireReader body) throws ProtocolException;
  }

  /**
   * The result of scanning a message whose fields form one oneof: which member is selected, by
   * protobuf's rules. The last member present wins; a message member present more than once is
   * merged, which protobuf defines as parsing the concatenation of its occurrences. Each
   * occurrence is parsed when seen, so a malformed one is rejected even if a later one replaces
   * it, as protobuf-java does.
   */
  private static final class Oneof {
    Object value;
    String errorText;
    int lastUnknownField;
    int lastUnknownWireType;
    final TreeSet<Integer> unknownFields = new TreeSet<>();

    static Oneof scan(byte[] bytes, java.util.function.IntPredicate known, int stringField, CaseReader reader)
        throws ProtocolException {
      Oneof o = new Oneof();
      WireReader r = new WireReader(bytes);
      int selected = 0;
      List<int[]> occurrences = new ArrayList<>(1); // {offset, length} of each occurrence of `selected`
      while (r.hasMore()) {
        int tag = r.readTag();
        int field = WireReader.fieldOf(tag);
        if (WireReader.wireTypeOf(tag) != WireWriter.LEN || !known.test(field)) {
          o.lastUnknownField = field;
          o.lastUnknownWireType = WireReader.wireTypeOf(tag);
          if (o.unknownFields.size() < 16) {
            o.unknownFields.add(field);
          }
          r.skip(tag);
          continue;
        }
        if (field == stringField) {
          o.errorText = r.readString();
          o.value = null;
          occurrences.clear();
          selected = field;
          continue;
        }
        WireReader body = r.readMessage();
        int offset = body.position();
        int length = r.position() - offset;
        Object value = reader.read(field, body);
        if (field != selected) {
          occurrences.clear();
          o.errorText = null;
          selected = field;
        }
        occurrences.add(new int[] {offset, length});
        o.value = value;
      }
      if (occurrences.size() > 1) {
        int total = 0;
        for (int[] occ : occurrences) {
          total += occ[1];
        }
        byte[] merged = new byte[total];
        int at = 0;
        for (int[] occ : occurrences) {
          System.arraycopy(bytes, occ[0], merged, at, occ[1]);
          at += occ[1];
        }
        o.value = reader.read(selected, new WireReader(merged));
      }
      return o;
    }
  }
}
