package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {

  @TempDir Path tmp;

  @Test
  void booksBecomeWindowsLabelledWithTheirBookAndSplitNinetyTen() throws Exception {
    Files.writeString(tmp.resolve("1-a.txt"), "abcdefghij\n".repeat(20));
    Files.writeString(tmp.resolve("2-b.txt"), "ABCDEFGHIJ\n".repeat(40));
    List<TextCorpus.Book> books = TextCorpus.read(tmp);
    assertEquals(List.of("1-a", "2-b"), books.stream().map(TextCorpus.Book::name).toList());
    assertEquals(209, books.get(0).train().length(), "cut after the first line break at or after 90% (198)");
    Mnist.Splits s = TextCorpus.tokenize("toy", books, new ByteTokenizer(), TextCorpus.Window.languageModel(10));
    assertEquals(11, s.train().featureDim());
    // book a: 209 training bytes -> (209 - 11) / 10 + 1 = 20 windows; book b: 407 -> 40
    assertEquals(20 + 40, s.train().size());
    assertEquals(0, s.train().label(19));
    assertEquals(1, s.train().label(20));
    int[] w = new int[11];
    s.train().copyTokens(1, w, 0);
    assertEquals("\nabcdefghij", new ByteTokenizer().decode(w), "stride 10: bytes 10 to 20");
    List<int[]> parts = Partitioner.natural(s.train().labels(), 2);
    assertEquals(20, parts.get(0).length);
    assertEquals(40, parts.get(1).length);
  }

  @Test
  void bertWindowsCarryClsAndSep() throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "one two three four five six seven eight nine ten\n".repeat(5));
    List<TextCorpus.Book> books = TextCorpus.read(tmp);
    WordPieceTokenizer wp = WordPieceTokenizer.build(List.of(books.get(0).train()), 100);
    Mnist.Splits s = TextCorpus.tokenize("toy", books, wp, TextCorpus.Window.bert(6));
    int[] w = new int[6];
    s.train().copyTokens(0, w, 0);
    assertEquals(WordPieceTokenizer.CLS, w[0]);
    assertEquals(WordPieceTokenizer.SEP, w[5]);
    assertEquals("[CLS] one two three four [SEP]", wp.decode(w));
  }

  @Test
  void emptyTextFileIsRejectedWithItsNameAndWhatToDo() throws IOException {
    Files.writeString(tmp.resolve("a.txt"), "some text\n");
    Files.writeString(tmp.resolve("b.txt"), "  \n");
    DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> TextCorpus.read(tmp));
    assertTrue(e.getMessage().contains(tmp.resolve("b.txt") + " is empty: a book needs text"), e.getMessage());
  }

  @Test
  void textShorterThanOneWindowIsRejected() throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "tiny\n");
    List<TextCorpus.Book> books = TextCorpus.read(tmp);
    DataUnavailableException e = assertThrows(DataUnavailableException.class,
        () -> TextCorpus.tokenize("toy", books, new ByteTokenizer(), TextCorpus.Window.languageModel(128)));
    assertTrue(e.getMessage().contains("book `a` has 4 tokens, fewer than one window of 129"), e.getMessage());
  }

  @Test
  void missingCorpusSaysWhatToRun() {
    DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> DataSets.get(DataSets.AUSTEN).load(tmp, "char-lm", 0, false));
    assertTrue(e.getMessage().endsWith("run `./flock datasets fetch austen`"), e.getMessage());
  }

  // --- R lazy-load data base, written here in R's XDR serialization format (R Internals 1.8) ---

  @Test
  void characterVectorsAreReadFromAnRLazyLoadDataBase() throws IOException {
    byte[] emma = serialize(out -> strsxp(out, "EMMA", null, "By Jane Austen"));
    byte[] pers = serialize(out -> strsxp(out, "Persuasion"));
    ByteArrayOutputStream rdb = new ByteArrayOutputStream();
    int emmaAt = rdb.size();
    rdb.write(compressed(emma));
    int persAt = rdb.size();
    rdb.write(compressed(pers));
    Files.write(tmp.resolve("Rdata.rdb"), rdb.toByteArray());
    byte[] index = serialize(out -> {
      // list(variables = list(emma = c(off, len), persuasion = c(off, len)), references = list())
      out.writeInt(19 | (1 << 9));
      out.writeInt(2);
      out.writeInt(19 | (1 << 9));
      out.writeInt(2);
      intsxp(out, emmaAt, persAt - emmaAt);
      intsxp(out, persAt, rdb.size() - persAt);
      names(out, "emma", "persuasion");
      out.writeInt(19);
      out.writeInt(0);
      names(out, "variables", "references");
    });
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(tmp.resolve("Rdata.rdx")))) {
      gz.write(index);
    }
    Map<String, String[]> v = RLazyLoad.characterVectors(tmp.resolve("Rdata.rdx"));
    assertEquals(List.of("emma", "persuasion"), List.copyOf(v.keySet()));
    assertArrayEquals(new String[] {"EMMA", null, "By Jane Austen"}, v.get("emma"));
    assertArrayEquals(new String[] {"Persuasion"}, v.get("persuasion"));
  }

  @Test
  void truncatedRDataBaseIsReportedWithItsName() throws IOException {
    Files.write(tmp.resolve("Rdata.rdb"), new byte[10]);
    byte[] index = serialize(out -> {
      out.writeInt(19 | (1 << 9));
      out.writeInt(1);
      out.writeInt(19 | (1 << 9));
      out.writeInt(1);
      intsxp(out, 0, 500);
      names(out, "emma");
      names(out, "variables");
    });
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(tmp.resolve("Rdata.rdx")))) {
      gz.write(index);
    }
    IOException e = assertThrows(IOException.class, () -> RLazyLoad.characterVectors(tmp.resolve("Rdata.rdx")));
    assertTrue(e.getMessage().contains("Rdata.rdb is truncated: `emma` needs bytes 0 to 500, the file has 10"),
        e.getMessage());
  }

  interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  static byte[] serialize(Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {'X', '\n'});
    out.writeInt(3);
    out.writeInt(0x040201);
    out.writeInt(0x030500);
    out.writeInt(5);
    out.write("UTF-8".getBytes(StandardCharsets.US_ASCII));
    body.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  static byte[] compressed(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new DataOutputStream(bytes).writeInt(data.length);
    try (DeflaterOutputStream z = new DeflaterOutputStream(bytes)) {
      z.write(data);
    }
    return bytes.toByteArray();
  }

  static void strsxp(DataOutputStream out, String... values) throws IOException {
    out.writeInt(16);
    out.writeInt(values.length);
    for (String v : values) {
      out.writeInt(9 | (1 << 15));
      if (v == null) {
        out.writeInt(-1);
      } else {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
      }
    }
  }

  static void intsxp(DataOutputStream out, int... values) throws IOException {
    out.writeInt(13);
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  /** The attribute pairlist {@code names = c(...)}, then its end. */
  static void names(DataOutputStream out, String... names) throws IOException {
    out.writeInt(2 | (1 << 10));
    out.writeInt(1); // SYMSXP
    out.writeInt(9);
    out.writeInt(5);
    out.write("names".getBytes(StandardCharsets.US_ASCII));
    strsxp(out, names);
    out.writeInt(254);
  }
}
