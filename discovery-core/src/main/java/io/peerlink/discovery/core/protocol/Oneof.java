package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The codec of a message that is one {@code oneof payload}, {@link Request} or {@link Response}:
 * each member is a field number, a name and the schema of its message; optionally one member is a
 * string (the {@code error} answer). Fields of the top-level message that are not a member are
 * skipped (a payload is one call).
 *
 * @param <T> the sealed interface of the members' records
 */
final class Oneof<T> {

  /** One member: its field number, its name and its message's schema. */
  private static final class Member<T> {
    final int number;
    final String name;
    final Schema<T> schema;

    Member(int number, String name, Schema<T> schema) {
      this.number = number;
      this.name = name;
      this.schema = schema;
    }
  }

  private final String name;
  private final Map<Integer, Member<?>> byNumber = new HashMap<>();
  private final Map<Class<?>, Member<?>> byClass = new HashMap<>();
  private int stringField = -1;
  private Class<?> stringClass;
  private Function<String, T> fromString;
  private Function<T, String> toString;

  Oneof(String name) {
    this.name = name;
  }

  <X extends T> Oneof<T> member(int number, String memberName, Class<X> type, Schema<X> schema) {
    Member<X> m = new Member<>(number, memberName, schema);
    byNumber.put(number, m);
    byClass.put(type, m);
    return this;
  }

  <X extends T> Oneof<T> stringMember(int number, Class<X> type, Function<String, T> from, Function<T, String> to) {
    stringField = number;
    stringClass = type;
    fromString = from;
    toString = to;
    return this;
  }

  boolean isMember(int number) {
    return byNumber.containsKey(number) || number == stringField;
  }

  /** The member number of a record of the oneof; -1 when its class is not a member. */
  int numberOf(T value) {
    if (value.getClass() == stringClass) {
      return stringField;
    }
    Member<?> m = byClass.get(value.getClass());
    return m == null ? -1 : m.number;
  }

  /** The member name of a record of the oneof; null when its class is not a member. */
  String nameOf(T value) {
    Member<?> m = byClass.get(value.getClass());
    return m == null ? null : m.name;
  }

  // ---- encoding

  @SuppressWarnings("unchecked")
  byte[] encode(T value) {
    if (value.getClass() == stringClass) {
      byte[] text = WireWriter.utf8(toString.apply(value));
      WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(stringField, text.length));
      w.lenHeader(stringField, text.length); // a oneof member has presence: an empty text is written
      w.raw(text);
      return w.finish();
    }
    Member<T> m = (Member<T>) byClass.get(value.getClass());
    if (m == null) {
      throw new IllegalArgumentException(name + " has no member " + value.getClass().getSimpleName());
    }
    WireWriter w = WireWriter.ofSize(m.schema.memberSize(m.number, value));
    m.schema.writeMember(m.number, value, w);
    return w.finish();
  }

  /** An empty message as member {@code number} (a call this side does not know). */
  static byte[] emptyMember(int number) {
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(number, 0));
    w.lenHeader(number, 0);
    return w.finish();
  }

  // ---- decoding

  /**
   * The result of scanning a message whose fields form one oneof: which member is selected, by
   * protobuf's rules. The last member present wins; a message member present more than once is
   * merged, which protobuf defines as parsing the concatenation of its occurrences. Each
   * occurrence is parsed when seen, so a malformed one is rejected even if a later one replaces
   * it, as protobuf-java does.
   */
  static final class Scan<T> {
    T value;
    /** The bytes of the array read that {@link #value} keeps views of (an owning reader only). */
    long viewedBytes;
    int lastUnknownField;
    int lastUnknownWireType;
    final TreeSet<Integer> unknownFields = new TreeSet<>();
  }

  /**
   * Scans the message {@code r} reads, from its position to its end. A merged member is decoded
   * from an array of its own, copying what it keeps: no honest peer sends one, and the value then
   * views nothing of {@code r}'s array.
   */
  Scan<T> scan(WireReader r) throws ProtocolException {
    Scan<T> o = new Scan<>();
    byte[] bytes = r.buffer();
    int selected = 0;
    List<int[]> occurrences = new ArrayList<>(1); // {offset, length} of each occurrence of `selected`
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      if (WireReader.wireTypeOf(tag) != WireWriter.LEN || !isMember(field)) {
        o.lastUnknownField = field;
        o.lastUnknownWireType = WireReader.wireTypeOf(tag);
        if (o.unknownFields.size() < 16) {
          o.unknownFields.add(field);
        }
        r.skip(tag);
        continue;
      }
      if (field == stringField) {
        o.value = fromString.apply(r.readString());
        o.viewedBytes = 0;
        occurrences.clear();
        selected = field;
        continue;
      }
      WireReader body = r.readMessage();
      int offset = body.position();
      int length = r.position() - offset;
      long viewedBefore = r.viewedBytes();
      T value = read(field, body);
      if (field != selected) {
        occurrences.clear();
        selected = field;
      }
      occurrences.add(new int[] {offset, length});
      o.value = value;
      o.viewedBytes = r.viewedBytes() - viewedBefore;
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
      o.value = read(selected, new WireReader(merged));
      o.viewedBytes = 0;
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private T read(int field, WireReader body) throws ProtocolException {
    return ((Member<T>) byNumber.get(field)).schema.read(body);
  }
}
