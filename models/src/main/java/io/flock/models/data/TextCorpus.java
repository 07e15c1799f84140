package io.flock.models.data;

import io.flock.models.zoo.ModelZoo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Public-domain books as token data sets with their natural partition: one group per book.
 *
 * <p>{@code austen} ({@link DataSets#AUSTEN}) is Jane Austen's six completed novels from the Debian
 * package {@code r-cran-janeaustenr} (Silge 2016; the Project Gutenberg texts, one line per element
 * of an R character vector). {@link #writeAusten} reads the package's lazy-load data base with
 * {@link RLazyLoad} and writes one UTF-8 text file per book, {@code <n>-<name>.txt} in publication
 * order; loading reads those files only, so any directory of {@code .txt} files is a corpus too.
 * One author, so the natural partition is per book.
 *
 * <p>Each book is split by characters: the first 90% (cut at a line break) is training text, the
 * rest test text, so no window straddles the split. {@link #tokenize} turns both into windows of
 * a fixed number of tokens, labelled with the book's index; {@link #forModel} picks the tokenizer
 * and window a model reads.
 */
public final class TextCorpus {

  /** R object name and file name of each novel, in publication order. */
  private static final List<String[]> BOOKS = List.of(
      new String[] {"sensesensibility", "1-sense-and-sensibility.txt"},
      new String[] {"prideprejudice", "2-pride-and-prejudice.txt"},
      new String[] {"mansfieldpark", "3-mansfield-park.txt"},
      new String[] {"emma", "4-emma.txt"},
      new String[] {"northangerabbey", "5-northanger-abbey.txt"},
      new String[] {"persuasion", "6-persuasion.txt"});

  /** Share of each book's characters that is training text. */
  public static final double TRAIN_SHARE = 0.9;

  /** One book: its name (from the file name) and its training and test text. */
  public record Book(String name, String train, String test) {}

  /** How text becomes fixed-length samples. */
  public record Window(int length, int stride, int[] prefix, int[] suffix) {
    /** Windows of {@code context + 1} tokens every {@code context} tokens: inputs and shifted targets. */
    public static Window languageModel(int context) {
      return new Window(context + 1, context, new int[0], new int[0]);
    }

    /** BERT's {@code [CLS] tokens [SEP]}, {@code length} in all, non-overlapping. */
    public static Window bert(int length) {
      return new Window(length, length - 2, new int[] {WordPieceTokenizer.CLS}, new int[] {WordPieceTokenizer.SEP});
    }
  }

  private TextCorpus() {}

  /** The file names {@link #writeAusten} writes, in publication order. */
  public static List<String> austenFiles() {
    return BOOKS.stream().map(b -> b[1]).toList();
  }

  /**
   * Reads the novels from the R lazy-load data base {@code rdx} (and its {@code .rdb} beside it) of
   * {@code r-cran-janeaustenr} and writes one text file per novel into {@code dir}.
   */
  public static void writeAusten(Path rdx, Path dir) throws IOException, DataUnavailableException {
    Map<String, String[]> vectors = RLazyLoad.characterVectors(rdx);
    for (String[] book : BOOKS) {
      String[] lines = vectors.get(book[0]);
      if (lines == null) {
        throw new DataUnavailableException(rdx + " has no object `" + book[0] + "`; it has " + vectors.keySet());
      }
      StringBuilder text = new StringBuilder();
      for (String line : lines) {
        text.append(line == null ? "" : line).append('\n');
      }
      PackageFiles.place(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)),
          dir.resolve(book[1]));
    }
  }

  /**
   * The books as windows for {@code model}: bytes for char-lm, GPT-2 BPE for gpt-mini, a WordPiece
   * vocabulary built from the training text for bert-tiny.
   *
   * @throws IllegalArgumentException for a model that does not read text
   */
  public static Mnist.Splits forModel(String name, String model, List<Book> books) throws DataUnavailableException {
    return switch (model) {
      case ModelZoo.CHAR_LM -> tokenize(name, books, new ByteTokenizer(), Window.languageModel(ModelZoo.CHAR_SEQUENCE));
      case ModelZoo.GPT_MINI -> tokenize(name, books, new Gpt2Tokenizer(ModelZoo.get(ModelZoo.GPT_MINI).numClasses()),
          Window.languageModel(ModelZoo.get(ModelZoo.GPT_MINI).sampleSize()));
      case ModelZoo.BERT_TINY -> tokenize(name, books,
          WordPieceTokenizer.build(books.stream().map(Book::train).toList(), ModelZoo.get(ModelZoo.BERT_TINY).numClasses()),
          Window.bert(ModelZoo.BERT_SEQUENCE));
      default -> throw new IllegalArgumentException("--model " + model + " does not read text");
    };
  }

  /**
   * Every {@code .txt} file of {@code dir}, in file-name order, as a book split into training and
   * test text.
   *
   * @throws DataUnavailableException for a missing directory, no text files, or an empty file
   */
  public static List<Book> read(Path dir) throws DataUnavailableException {
    List<Path> files;
    try (var listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
    } catch (IOException e) {
      throw new DataUnavailableException("cannot list the text corpus " + dir + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DataUnavailableException(dir + " holds no .txt files; fetch the data set again or put the books there as .txt files");
    }
    List<Book> books = new ArrayList<>();
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new DataUnavailableException("cannot read " + f + " as UTF-8 text: " + e.getMessage()
            + "; delete it and fetch the data set again", e);
      }
      if (text.isBlank()) {
        throw new DataUnavailableException(f + " is empty: a book needs text; delete the file or fetch"
            + " the data set again");
      }
      String name = f.getFileName().toString().replaceFirst("\\.txt$", "");
      int cut = split(text);
      books.add(new Book(name, text.substring(0, cut), text.substring(cut)));
    }
    return books;
  }

  /** The first line break at or after 90% of the characters (or exactly 90% when there is none). */
  private static int split(String text) {
    int at = (int) (text.length() * TRAIN_SHARE);
    int nl = text.indexOf('\n', at);
    return nl >= 0 && nl < text.length() - 1 ? nl + 1 : Math.max(1, at);
  }

  /**
   * Windows of the training and test texts of {@code books}, labelled with the book index.
   *
   * @param tokenizer how text becomes ids
   * @param window the window length, stride and the ids put around every window
   * @throws DataUnavailableException when a book's text is too short for one window
   */
  public static Mnist.Splits tokenize(String name, List<Book> books, Tokenizer tokenizer, Window window)
      throws DataUnavailableException {
    return new Mnist.Splits(
        windows(name + "/train", books, Book::train, tokenizer, window),
        windows(name + "/test", books, Book::test, tokenizer, window));
  }

  private static LabeledDataset windows(String name, List<Book> books, Function<Book, String> part,
      Tokenizer tokenizer, Window w) throws DataUnavailableException {
    int body = w.length() - w.prefix().length - w.suffix().length;
    if (body < 1 || w.stride() < 1) {
      throw new IllegalArgumentException("a window needs room for tokens and a stride >= 1, was " + w);
    }
    int[] tokens = new int[0];
    int[] labels = new int[0];
    int count = 0;
    for (int b = 0; b < books.size(); b++) {
      int[] ids = tokenizer.encode(part.apply(books.get(b)));
      int n = ids.length < body ? 0 : (ids.length - body) / w.stride() + 1;
      if (n == 0) {
        throw new DataUnavailableException(name + ": book `" + books.get(b).name() + "` has " + ids.length
            + " tokens, fewer than one window of " + body + "; use a longer text");
      }
      tokens = Arrays.copyOf(tokens, (count + n) * w.length());
      labels = Arrays.copyOf(labels, count + n);
      for (int i = 0; i < n; i++) {
        int at = (count + i) * w.length();
        System.arraycopy(w.prefix(), 0, tokens, at, w.prefix().length);
        System.arraycopy(ids, i * w.stride(), tokens, at + w.prefix().length, body);
        System.arraycopy(w.suffix(), 0, tokens, at + w.prefix().length + body, w.suffix().length);
        labels[count + i] = b;
      }
      count += n;
    }
    return LabeledDataset.ofTokens(name, tokens, labels, w.length(), books.size(), tokenizer.vocabularySize());
  }
}
