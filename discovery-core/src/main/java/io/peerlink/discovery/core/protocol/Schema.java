package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The protobuf codec of one message type, driven by a list of its fields, so every message of the
 * protocol shares one encoder, one decoder and one {@code toString}, and a record only lists its
 * fields. proto3 rules: fields written in number order, zero/empty scalars omitted, repeated
 * messages always written; the unknown fields read are kept as raw bytes and written back after
 * the known ones, in the order they came, as Go does (protobuf-java sorts them by number).
 *
 * <p>A schema made {@link Builder#retaining retaining} hands its decoder the exact bytes a message
 * was read from, and writes a message that kept them back as they were: blocks pass through a node
 * byte for byte. Those bytes are a view of the array read when the reader owns it, else a copy
 * ({@link WireReader#keep}); its {@link Builder#slice slice} fields are views of them, not copies.
 *
 * @param <T> the record
 */
final class Schema<T> {

  private enum Kind { U64, U32, BOOL, STRING, BYTES, SLICE, MESSAGES }

  /** One field: its number, name, kind, and how to get its value from a record. */
  private static final class Field<T> {
    final int number;
    final String name;
    final Kind kind;
    final Object getter;
    final Schema<?> element;
    final int index;

    Field(int index, int number, String name, Kind kind, Object getter, Schema<?> element) {
      this.index = index;
      this.number = number;
      this.name = name;
      this.kind = kind;
      this.getter = getter;
      this.element = element;
    }
  }

  private final String name;
  private final List<Field<T>> fields;
  private final Field<T>[] byNumber; // index = field number, for the known numbers
  private final Object[] defaults; // a field's value when absent, for the reference kinds
  private final Function<FieldValues, T> build;
  private final Function<T, UnknownFields> unknown;
  private final Function<T, ByteSlice> retained;
  private volatile T empty; // the message of an empty body, shared: records are immutable

  @SuppressWarnings("unchecked")
  private Schema(Builder<T> b, Function<FieldValues, T> build) {
    this.name = b.name;
    this.fields = List.copyOf(b.fields);
    int max = 0;
    for (Field<T> f : fields) {
      max = Math.max(max, f.number);
    }
    byNumber = new Field[max + 1];
    defaults = new Object[fields.size()];
    for (Field<T> f : fields) {
      byNumber[f.number] = f;
      defaults[f.index] = f.kind == Kind.STRING ? "" : f.kind == Kind.BYTES ? UnknownFields.NO_BYTES : null;
    }
    this.build = build;
    this.unknown = b.unknown;
    this.retained = b.retained;
    if (retained == null && fields.stream().anyMatch(f -> f.kind == Kind.SLICE)) {
      throw new IllegalArgumentException(name + ": slice fields view the retained bytes: the schema must retain them");
    }
  }

  /** Starts a schema for message {@code name}, whose records keep their unknown fields in {@code unknown}. */
  static <T> Builder<T> message(String name, Function<T, UnknownFields> unknown) {
    return new Builder<>(name, unknown);
  }

  String name() {
    return name;
  }

  /** Lists fields in number order; ends with {@link #build}. */
  static final class Builder<T> {
    private final String name;
    private final Function<T, UnknownFields> unknown;
    private final List<Field<T>> fields = new ArrayList<>();
    private Function<T, ByteSlice> retained;

    private Builder(String name, Function<T, UnknownFields> unknown) {
      this.name = name;
      this.unknown = unknown;
    }

    private Builder<T> add(int number, String fieldName, Kind kind, Object getter, Schema<?> element) {
      if (!fields.isEmpty() && fields.get(fields.size() - 1).number >= number) {
        throw new IllegalArgumentException(name + "." + fieldName + ": fields must be listed in number order");
      }
      fields.add(new Field<>(fields.size(), number, fieldName, kind, getter, element));
      return this;
    }

    Builder<T> u64(int number, String fieldName, ToLongFunction<T> getter) {
      return add(number, fieldName, Kind.U64, getter, null);
    }

    Builder<T> u32(int number, String fieldName, ToIntFunction<T> getter) {
      return add(number, fieldName, Kind.U32, getter, null);
    }

    Builder<T> bool(int number, String fieldName, Predicate<T> getter) {
      return add(number, fieldName, Kind.BOOL, getter, null);
    }

    Builder<T> string(int number, String fieldName, Function<T, String> getter) {
      return add(number, fieldName, Kind.STRING, getter, null);
    }

    /** A bytes field; the getter may return the record's own array: it is only read. */
    Builder<T> bytes(int number, String fieldName, Function<T, byte[]> getter) {
      return add(number, fieldName, Kind.BYTES, getter, null);
    }

    /** A bytes field decoded as a view of the retained message (see {@link #retaining}), not a copy. */
    Builder<T> slice(int number, String fieldName, Function<T, ByteSlice> getter) {
      return add(number, fieldName, Kind.SLICE, getter, null);
    }

    <X> Builder<T> messages(int number, String fieldName, Function<T, List<X>> getter, Schema<X> element) {
      return add(number, fieldName, Kind.MESSAGES, getter, element);
    }

    /** Records keep the bytes they were decoded from; {@code getter} returns them, or null. */
    Builder<T> retaining(Function<T, ByteSlice> getter) {
      this.retained = getter;
      return this;
    }

    Schema<T> build(Function<FieldValues, T> constructor) {
      return new Schema<>(this, constructor);
    }
  }

  // ---- encoding

  /** The encoded size of {@code m}'s body. */
  long bodySize(T m) {
    ByteSlice kept = retained == null ? null : retained.apply(m);
    if (kept != null) {
      return kept.length();
    }
    long size = 0;
    for (Field<T> f : fields) {
      size += fieldSize(f, m);
    }
    return size + unknown.apply(m).size();
  }

  @SuppressWarnings("unchecked")
  private long fieldSize(Field<T> f, T m) {
    switch (f.kind) {
      case U64:
        return WireWriter.uint64Size(f.number, ((ToLongFunction<T>) f.getter).applyAsLong(m));
      case U32:
        return WireWriter.uint32Size(f.number, ((ToIntFunction<T>) f.getter).applyAsInt(m));
      case BOOL:
        return ((Predicate<T>) f.getter).test(m) ? WireWriter.tagSize(f.number) + 1 : 0;
      case STRING: {
        int n = WireWriter.utf8Length(((Function<T, String>) f.getter).apply(m));
        return n == 0 ? 0 : WireWriter.lenFieldSize(f.number, n);
      }
      case BYTES:
        return WireWriter.bytesSize(f.number, ((Function<T, byte[]>) f.getter).apply(m));
      case SLICE: {
        int n = ((Function<T, ByteSlice>) f.getter).apply(m).length();
        return n == 0 ? 0 : WireWriter.lenFieldSize(f.number, n);
      }
      default: {
        Schema<Object> element = (Schema<Object>) f.element;
        long size = 0;
        for (Object x : ((Function<T, List<Object>>) f.getter).apply(m)) {
          size += WireWriter.lenFieldSize(f.number, element.bodySize(x));
        }
        return size;
      }
    }
  }

  /** Writes {@code m}'s body; the writer has room for {@link #bodySize}. */
  @SuppressWarnings("unchecked")
  void write(T m, WireWriter w) {
    ByteSlice kept = retained == null ? null : retained.apply(m);
    if (kept != null) {
      kept.writeRaw(w);
      return;
    }
    for (Field<T> f : fields) {
      switch (f.kind) {
        case U64:
          w.uint64(f.number, ((ToLongFunction<T>) f.getter).applyAsLong(m));
          break;
        case U32:
          w.uint32(f.number, ((ToIntFunction<T>) f.getter).applyAsInt(m));
          break;
        case BOOL:
          w.uint64(f.number, ((Predicate<T>) f.getter).test(m) ? 1 : 0);
          break;
        case STRING:
          w.bytes(f.number, WireWriter.utf8(((Function<T, String>) f.getter).apply(m)));
          break;
        case BYTES:
          w.bytes(f.number, ((Function<T, byte[]>) f.getter).apply(m));
          break;
        case SLICE:
          ((Function<T, ByteSlice>) f.getter).apply(m).write(f.number, w);
          break;
        default: {
          Schema<Object> element = (Schema<Object>) f.element;
          for (Object x : ((Function<T, List<Object>>) f.getter).apply(m)) {
            w.lenHeader(f.number, WireWriter.checkedSize(element.bodySize(x)));
            element.write(x, w);
          }
        }
      }
    }
    w.raw(unknown.apply(m).bytes());
  }

  /** The protobuf bytes of {@code m}. */
  byte[] encode(T m) {
    WireWriter w = WireWriter.ofSize(bodySize(m));
    write(m, w);
    return w.finish();
  }

  /** As a oneof member: tag, length and body, always written. */
  long memberSize(int field, T m) {
    return WireWriter.lenFieldSize(field, bodySize(m));
  }

  void writeMember(int field, T m, WireWriter w) {
    w.lenHeader(field, WireWriter.checkedSize(bodySize(m)));
    write(m, w);
  }

  // ---- decoding

  T decode(byte[] bytes) throws ProtocolException {
    return read(new WireReader(bytes));
  }

  /**
   * Reads a body. A known field with another wire type than its own is unknown, as in
   * protobuf-java; a scalar present twice keeps the last value; repeated fields accumulate.
   */
  T read(WireReader r) throws ProtocolException {
    if (!r.hasMore()) {
      // An empty body (e.g. an empty repeated element, 2 bytes on the wire) costs no allocation.
      T e = empty;
      if (e == null) {
        e = build.apply(new FieldValues(defaults));
        empty = e;
      }
      return e;
    }
    int start = r.position();
    FieldValues v = new FieldValues(defaults);
    UnknownFields.Collector unknownBytes = null;
    while (r.hasMore()) {
      int tagStart = r.position();
      int tag = r.readTag();
      int number = WireReader.fieldOf(tag);
      Field<T> f = number < byNumber.length ? byNumber[number] : null;
      if (f == null || WireReader.wireTypeOf(tag) != wireType(f.kind)) {
        r.skip(tag);
        if (unknownBytes == null) {
          unknownBytes = new UnknownFields.Collector();
        }
        unknownBytes.add(r.buffer(), tagStart, r.position());
        continue;
      }
      switch (f.kind) {
        case U64:
        case U32:
        case BOOL:
          v.numbers[f.index] = r.readVarint();
          break;
        case STRING:
          v.refs[f.index] = r.readString();
          break;
        case BYTES:
          v.refs[f.index] = r.readBytes();
          break;
        case SLICE: {
          int at = r.skipBytes();
          v.numbers[f.index] = (long) (at - start) << 32 | (r.position() - at);
          break;
        }
        default: {
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) v.refs[f.index];
          if (list == null) {
            list = new ArrayList<>();
            v.refs[f.index] = list;
          }
          list.add(f.element.read(r.readMessage()));
        }
      }
    }
    if (unknownBytes != null) {
      v.unknown = unknownBytes.finish();
    }
    if (retained != null) {
      v.retained = r.keep(start);
    }
    return build.apply(v);
  }

  private static int wireType(Kind kind) {
    return kind == Kind.U64 || kind == Kind.U32 || kind == Kind.BOOL ? WireWriter.VARINT : WireWriter.LEN;
  }

  // ---- text

  /** {@code Name[field=value, ...]}: uint64 unsigned, bytes as shortened hex, unknown fields by size. */
  @SuppressWarnings("unchecked")
  String toString(T m) {
    StringBuilder sb = new StringBuilder(name).append('[');
    for (int i = 0; i < fields.size(); i++) {
      Field<T> f = fields.get(i);
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(f.name).append('=');
      switch (f.kind) {
        case U64:
          sb.append(Text.u64(((ToLongFunction<T>) f.getter).applyAsLong(m)));
          break;
        case U32:
          sb.append(Text.u32(((ToIntFunction<T>) f.getter).applyAsInt(m)));
          break;
        case BOOL:
          sb.append(((Predicate<T>) f.getter).test(m));
          break;
        case STRING:
          sb.append(((Function<T, String>) f.getter).apply(m));
          break;
        case BYTES:
          sb.append(Text.hex(((Function<T, byte[]>) f.getter).apply(m)));
          break;
        case SLICE:
          sb.append(((Function<T, ByteSlice>) f.getter).apply(m).hex());
          break;
        default:
          sb.append(((Function<T, List<Object>>) f.getter).apply(m));
      }
    }
    UnknownFields u = unknown.apply(m);
    if (!u.isEmpty()) {
      sb.append(", unknown fields=").append(u.size()).append(" bytes");
    }
    return sb.append(']').toString();
  }
}
