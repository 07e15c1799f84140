package io.flock.models.data;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Reads character vectors out of an R package's lazy-load data base ({@code data/Rdata.rdx} and
 * {@code Rdata.rdb}), the form in which R packages such as {@code janeaustenr} install their data.
 * The {@code .rdx} index is a gzipped R serialization of {@code list(variables = list(name =
 * c(offset, length), ...), ...)}; each object in the {@code .rdb} is a 4-byte big-endian length
 * followed by a zlib stream of the object's R serialization (XDR, format version 2 or 3). Only
 * what data packages of text need is supported: character, integer, logical and real vectors,
 * lists, pairlists and symbols (R Internals, Sec. 1.8 "Serialization formats").
 */
public final class RLazyLoad {

  private static final int SYMSXP = 1;
  private static final int LISTSXP = 2;
  private static final int CHARSXP = 9;
  private static final int LGLSXP = 10;
  private static final int INTSXP = 13;
  private static final int REALSXP = 14;
  private static final int STRSXP = 16;
  private static final int VECSXP = 19;
  private static final int REFSXP = 255;
  private static final int NILVALUE = 254;
  private static final int MAX_LENGTH = 1 << 28;

  private RLazyLoad() {}

  /**
   * Every character vector of the data base {@code rdx} / its {@code .rdb} sibling, by object name
   * in index order.
   *
   * @throws IOException naming the file and what is wrong
   */
  public static Map<String, String[]> characterVectors(Path rdx) throws IOException {
    String base = rdx.getFileName().toString().replaceFirst("\\.rdx$", "");
    Path rdb = rdx.resolveSibling(base + ".rdb");
    Object index;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(rdx))) {
      index = new Reader(in.readAllBytes(), rdx).readTop();
    } catch (EOFException e) {
      throw new IOException(rdx + " is truncated", e);
    }
    if (!(index instanceof Named top) || !(top.get("variables") instanceof Named variables)) {
      throw new IOException(rdx + " is not an R lazy-load index: no `variables` list");
    }
    byte[] db = Files.readAllBytes(rdb);
    Map<String, String[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> v : variables.entries().entrySet()) {
      if (!(v.getValue() instanceof int[] pos) || pos.length != 2) {
        throw new IOException(rdx + ": entry `" + v.getKey() + "` is not (offset, length)");
      }
      if (pos[0] < 0 || pos[1] < 5 || (long) pos[0] + pos[1] > db.length) {
        throw new IOException(rdb + " is truncated: `" + v.getKey() + "` needs bytes " + pos[0] + " to "
            + ((long) pos[0] + pos[1]) + ", the file has " + db.length);
      }
      Object value = new Reader(inflate(db, pos[0], pos[1], rdb, v.getKey()), rdb).readTop();
      if (value instanceof String[] strings) {
        out.put(v.getKey(), strings);
      }
    }
    return out;
  }

  private static byte[] inflate(byte[] db, int offset, int length, Path rdb, String name) throws IOException {
    int size = ((db[offset] & 0xff) << 24) | ((db[offset + 1] & 0xff) << 16) | ((db[offset + 2] & 0xff) << 8)
        | (db[offset + 3] & 0xff);
    if (size < 0 || size > MAX_LENGTH) {
      throw new IOException(rdb + ": `" + name + "` declares " + size + " bytes: corrupt");
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(db, offset + 4, length - 4);
      byte[] out = new byte[size];
      int n = inflater.inflate(out);
      if (n != size) {
        throw new IOException(rdb + ": `" + name + "` inflates to " + n + " bytes, not the declared " + size
            + " (only zlib compression is supported)");
      }
      return out;
    } catch (DataFormatException e) {
      throw new IOException(rdb + ": `" + name + "` is not zlib data (" + e.getMessage()
          + "); only R's default zlib compression is supported", e);
    } finally {
      inflater.end();
    }
  }

  /** A list with names (or a pairlist with tags). */
  record Named(Map<String, Object> entries) {
    Object get(String name) {
      return entries.get(name);
    }
  }

  private static final class Reader {
    private final DataInputStream in;
    private final Path file;
    private final List<Object> refs = new ArrayList<>();

    Reader(byte[] bytes, Path file) {
      this.in = new DataInputStream(new ByteArrayInputStream(bytes));
      this.file = file;
    }

    Object readTop() throws IOException {
      byte[] magic = new byte[2];
      in.readFully(magic);
      if (magic[0] != 'X' || magic[1] != '\n') {
        throw new IOException(file + " holds an R serialization in format `" + (char) magic[0]
            + "`; only XDR (`X`) is supported");
      }
      int version = in.readInt();
      in.readInt(); // writer's R version
      in.readInt(); // minimal reader version
      if (version == 3) {
        in.skipNBytes(in.readInt()); // native encoding
      } else if (version != 2) {
        throw new IOException(file + " uses R serialization version " + version + "; 2 and 3 are supported");
      }
      return item();
    }

    private Object item() throws IOException {
      int flags = in.readInt();
      int type = flags & 0xff;
      boolean hasAttr = (flags & (1 << 9)) != 0;
      boolean hasTag = (flags & (1 << 10)) != 0;
      switch (type) {
        case NILVALUE, 242, 241, 253, 252, 251, 247:
          return null;
        case REFSXP: {
          int index = flags >>> 8;
          if (index == 0) {
            index = in.readInt();
          }
          return refs.get(index - 1);
        }
        case SYMSXP: {
          Object name = item();
          refs.add(name);
          return name;
        }
        case LISTSXP: {
          Map<String, Object> entries = new LinkedHashMap<>();
          boolean attr = hasAttr;
          boolean tag = hasTag;
          int position = 0;
          while (true) {
            if (attr) {
              item();
            }
            String key = tag ? String.valueOf(item()) : String.valueOf(position);
            entries.put(key, item());
            position++;
            int next = in.readInt();
            if ((next & 0xff) == NILVALUE) {
              return new Named(entries);
            }
            if ((next & 0xff) != LISTSXP) {
              throw new IOException(file + ": unsupported pairlist tail of type " + (next & 0xff));
            }
            attr = (next & (1 << 9)) != 0;
            tag = (next & (1 << 10)) != 0;
          }
        }
        case CHARSXP: {
          int n = in.readInt();
          if (n == -1) {
            return null; // NA_character_
          }
          return new String(bytes(n), StandardCharsets.UTF_8);
        }
        case LGLSXP, INTSXP: {
          int[] v = new int[length()];
          for (int i = 0; i < v.length; i++) {
            v[i] = in.readInt();
          }
          return withAttributes(v, hasAttr);
        }
        case REALSXP: {
          double[] v = new double[length()];
          for (int i = 0; i < v.length; i++) {
            v[i] = in.readDouble();
          }
          return withAttributes(v, hasAttr);
        }
        case STRSXP: {
          String[] v = new String[length()];
          for (int i = 0; i < v.length; i++) {
            v[i] = (String) item();
          }
          return withAttributes(v, hasAttr);
        }
        case VECSXP: {
          Object[] v = new Object[length()];
          for (int i = 0; i < v.length; i++) {
            v[i] = item();
          }
          Object attrs = hasAttr ? item() : null;
          if (attrs instanceof Named a && a.get("names") instanceof String[] names && names.length == v.length) {
            Map<String, Object> entries = new LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) {
              entries.put(names[i], v[i]);
            }
            return new Named(entries);
          }
          return v;
        }
        default:
          throw new IOException(file + ": R object type " + type + " is not supported by this reader");
      }
    }

    private Object withAttributes(Object value, boolean hasAttr) throws IOException {
      if (hasAttr) {
        item(); // attributes of an atomic vector (names, class): not needed for text
      }
      return value;
    }

    private int length() throws IOException {
      int n = in.readInt();
      if (n < 0 || n > MAX_LENGTH) {
        throw new IOException(file + ": vector length " + n + " is out of range: corrupt data");
      }
      return n;
    }

    private byte[] bytes(int n) throws IOException {
      if (n < 0 || n > MAX_LENGTH) {
        throw new IOException(file + ": string length " + n + " is out of range: corrupt data");
      }
      byte[] b = new byte[n];
      in.readFully(b);
      return b;
    }
  }
}
