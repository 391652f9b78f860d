package io.peerlink.discovery.core.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.peerlink.discovery.core.proto.Seed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The reference the hand-made codec is checked against: protoc's descriptors of
 * {@code src/test/proto/seed.proto} (written from PROTOCOL.md), and conversions between our
 * records and protobuf-java's {@link DynamicMessage} that go by the descriptor's field names and
 * the records' accessors and constructors (reflection), never through our codec's own field
 * lists. So a field number, type or order our codec gets wrong shows up as a difference.
 */
final class ProtoSchema {

  static final Descriptor BLOCK_DATA = Seed.BlockData.getDescriptor();
  static final Descriptor VALIDATOR_INFO = Seed.ValidatorInfo.getDescriptor();
  static final Descriptor TRANSACTION_EXE = Seed.TransactionExe.getDescriptor();
  static final Descriptor COMMITTED_BLOCK = Seed.CommittedBlock.getDescriptor();
  static final Descriptor COMMITTED_EPOCH_DATA = Seed.CommittedEpochData.getDescriptor();
  static final Descriptor EXECUTABLE_BLOCK = Seed.ExecutableBlock.getDescriptor();
  static final Descriptor REQUEST = Seed.Request.getDescriptor();
  static final Descriptor RESPONSE = Seed.Response.getDescriptor();

  private ProtoSchema() {
  }

  private static boolean isOneofWrapper(Descriptor d) {
    return d == REQUEST || d == RESPONSE;
  }

  // ---- record -> DynamicMessage

  /** Our record as protobuf-java's message of the descriptor {@code d}. */
  static DynamicMessage toDynamic(Object value, Descriptor d) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
    if (isOneofWrapper(d)) {
      int number = value instanceof Request ? ((Request) value).fieldNumber() : ((Response) value).fieldNumber();
      FieldDescriptor f = d.findFieldByNumber(number);
      if (value instanceof Response.Error) {
        b.setField(f, ((Response.Error) value).message());
      } else {
        b.setField(f, toDynamic(value, f.getMessageType()));
      }
      return b.build();
    }
    for (FieldDescriptor f : d.getFields()) {
      Object v = get(value, f.getJsonName());
      if (f.isRepeated()) {
        for (Object x : (List<?>) v) {
          b.addRepeatedField(f, toDynamic(x, f.getMessageType()));
        }
      } else if (v instanceof byte[]) {
        b.setField(f, ByteString.copyFrom((byte[]) v));
      } else {
        b.setField(f, v);
      }
    }
    try {
      b.setUnknownFields(UnknownFieldSet.parseFrom(((UnknownFields) get(value, "unknownFields")).toByteArray()));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    return b.build();
  }

  static DynamicMessage toDynamic(Request r) {
    return toDynamic(r, REQUEST);
  }

  static DynamicMessage toDynamic(Response r) {
    return toDynamic(r, RESPONSE);
  }

  static DynamicMessage toDynamic(BlockData b) {
    return toDynamic(b, BLOCK_DATA);
  }

  static DynamicMessage toDynamic(CommittedEpochData c) {
    return toDynamic(c, COMMITTED_EPOCH_DATA);
  }

  private static Object get(Object value, String accessor) {
    try {
      Method m = value.getClass().getMethod(accessor);
      m.setAccessible(true);
      return m.invoke(value);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError(value.getClass().getSimpleName() + " has no accessor " + accessor + "()", e);
    }
  }

  // ---- DynamicMessage -> record

  /**
   * Builds our record of class {@code type} from protobuf-java's message with its public
   * constructor that takes every field in number order, then the unknown fields.
   */
  static <T> T fromDynamic(DynamicMessage m, Class<T> type) {
    List<FieldDescriptor> fields = m.getDescriptorForType().getFields();
    for (Constructor<?> c : type.getConstructors()) {
      Class<?>[] params = c.getParameterTypes();
      if (params.length != fields.size() + 1 || params[params.length - 1] != UnknownFields.class) {
        continue;
      }
      Type[] generic = c.getGenericParameterTypes();
      Object[] args = new Object[params.length];
      for (int i = 0; i < fields.size(); i++) {
        FieldDescriptor f = fields.get(i);
        Object v = m.getField(f);
        if (f.isRepeated()) {
          Class<?> element = (Class<?>) ((ParameterizedType) generic[i]).getActualTypeArguments()[0];
          List<Object> list = new ArrayList<>();
          for (Object x : (List<?>) v) {
            list.add(fromDynamic((DynamicMessage) x, element));
          }
          v = list;
        } else if (v instanceof ByteString) {
          v = ((ByteString) v).toByteArray();
        }
        args[i] = v;
      }
      args[fields.size()] = UnknownFields.of(m.getUnknownFields().toByteArray());
      try {
        return type.cast(c.newInstance(args));
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(type.getSimpleName() + " has no constructor of its " + fields.size()
        + " fields and the unknown fields, in number order");
  }

  /** A request from protobuf-java's, or null when no call is set. */
  static Request request(DynamicMessage m) {
    FieldDescriptor f = selected(m);
    if (f == null) {
      return null;
    }
    Class<? extends Request> type = memberClass(Request.class, f.getNumber());
    return fromDynamic((DynamicMessage) m.getField(f), type);
  }

  /** A response from protobuf-java's, or null when no payload is set. */
  static Response response(DynamicMessage m) {
    FieldDescriptor f = selected(m);
    if (f == null) {
      return null;
    }
    if (f.getNumber() == 4) {
      return new Response.Error((String) m.getField(f));
    }
    return fromDynamic((DynamicMessage) m.getField(f), memberClass(Response.class, f.getNumber()));
  }

  private static FieldDescriptor selected(DynamicMessage m) {
    return m.getOneofFieldDescriptor(m.getDescriptorForType().getOneofs().get(0));
  }

  // The record class of a member, named after the message: the record whose schema in
  // RequestSchemas / ResponseSchemas has the member's message name.
  private static <T> Class<? extends T> memberClass(Class<T> sealed, int number) {
    Descriptor d = (sealed == Request.class ? REQUEST : RESPONSE).findFieldByNumber(number).getMessageType();
    Class<?> table = sealed == Request.class ? RequestSchemas.class : ResponseSchemas.class;
    for (java.lang.reflect.Field schema : table.getDeclaredFields()) {
      if (schema.getType() != Schema.class) {
        continue;
      }
      try {
        if (((Schema<?>) schema.get(null)).name().equals(d.getName())) {
          java.lang.reflect.Type record =
              ((java.lang.reflect.ParameterizedType) schema.getGenericType()).getActualTypeArguments()[0];
          return ((Class<?>) record).asSubclass(sealed);
        }
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no " + sealed.getSimpleName() + " record for message " + d.getName());
  }

  static BlockData blockData(DynamicMessage m) {
    return fromDynamic(m, BlockData.class);
  }

  static CommittedEpochData committedEpochData(DynamicMessage m) {
    return fromDynamic(m, CommittedEpochData.class);
  }

  /**
   * What our decoder keeps of protobuf-java's message: all of it, except the unknown fields of a
   * Request or Response at the top level (a payload is one call); null when no call is set.
   */
  static DynamicMessage comparable(DynamicMessage m) {
    if (!isOneofWrapper(m.getDescriptorForType())) {
      return m;
    }
    if (selected(m) == null) {
      return null;
    }
    return m.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance()).build();
  }

  /** Our decoded value as protobuf-java's message, for {@link #comparable} ones; null stays null. */
  static DynamicMessage toDynamicOrNull(Object ours, Descriptor d) {
    return ours == null ? null : toDynamic(ours, d);
  }

  // ---- random messages

  /**
   * A random message of {@code d}: every field drawn at the edges ({@link Values}), repeated
   * messages 0-3 deep to depth 3, one member of a oneof. No unknown fields.
   */
  static DynamicMessage random(Descriptor d, Random rnd) {
    return random(d, rnd, 0);
  }

  private static DynamicMessage random(Descriptor d, Random rnd, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
    if (isOneofWrapper(d)) {
      List<FieldDescriptor> members = d.getFields();
      FieldDescriptor f = members.get(rnd.nextInt(members.size()));
      b.setField(f, f.getJavaType() == FieldDescriptor.JavaType.STRING ? Values.text(rnd)
          : random(f.getMessageType(), rnd, depth + 1));
      return b.build();
    }
    for (FieldDescriptor f : d.getFields()) {
      if (f.isRepeated()) {
        int n = depth < 3 ? rnd.nextInt(4) : 0;
        for (int i = 0; i < n; i++) {
          b.addRepeatedField(f, random(f.getMessageType(), rnd, depth + 1));
        }
        continue;
      }
      switch (f.getType()) {
        case UINT64:
          b.setField(f, Values.u64(rnd));
          break;
        case UINT32:
          b.setField(f, Values.u32(rnd));
          break;
        case BOOL:
          b.setField(f, rnd.nextBoolean());
          break;
        case STRING:
          b.setField(f, Values.text(rnd));
          break;
        case BYTES:
          b.setField(f, ByteString.copyFrom(Values.bytes(rnd)));
          break;
        default:
          throw new AssertionError("seed.proto uses no field of type " + f.getType());
      }
    }
    return b.build();
  }

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
