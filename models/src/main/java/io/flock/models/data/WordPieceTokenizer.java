package io.flock.models.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A WordPiece tokenizer for BERT-Tiny (Wu et al. 2016; Devlin et al. 2019) whose vocabulary is
 * built from training text only, capped at a maximum size.
 *
 * <p>Pre-tokenization is BERT's basic one, uncased: lower case, split on white space, every
 * punctuation character a word of its own. The vocabulary is: the five special tokens ({@code
 * [PAD] [UNK] [CLS] [SEP] [MASK]}, ids 0 to 4), then every character seen in the training words,
 * both as a word start and as a {@code ##} continuation (most frequent first), then whole words by
 * descending frequency (ties in alphabetical order) until the cap. Encoding is WordPiece's greedy
 * longest-match-first: a word in the vocabulary is one token; any other word is split into the
 * longest known prefix and {@code ##} continuations, so an unseen word still spells out from its
 * characters; a word with a character never seen in training becomes {@code [UNK]}, as in BERT.
 * The vocabulary is not trained by likelihood as Google's WordPiece is: frequent words are whole
 * tokens, the rest fall back to characters. That is deterministic, needs no native library (DJL's
 * Hugging Face tokenizers would download one) and is enough for masked-LM training here.
 */
public final class WordPieceTokenizer implements Tokenizer {

  public static final int PAD = 0;
  public static final int UNK = 1;
  public static final int CLS = 2;
  public static final int SEP = 3;
  public static final int MASK = 4;

  /** Ids below this are special tokens: never masked, never drawn as random replacements. */
  public static final int FIRST_REGULAR = 5;

  private static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
  private static final int MAX_WORD_CHARS = 100;

  private final Map<String, Integer> ids;
  private final String[] tokens;

  private WordPieceTokenizer(List<String> vocabulary) {
    this.tokens = vocabulary.toArray(new String[0]);
    this.ids = new HashMap<>();
    for (int i = 0; i < tokens.length; i++) {
      ids.put(tokens[i], i);
    }
  }

  /**
   * Builds the vocabulary from {@code trainingText} with at most {@code maxSize} entries.
   *
   * @throws IllegalArgumentException when {@code maxSize} cannot hold the special tokens
   */
  public static WordPieceTokenizer build(List<String> trainingText, int maxSize) {
    if (maxSize < SPECIALS.size() + 1) {
      throw new IllegalArgumentException(
          "maxSize must be > " + SPECIALS.size() + " (the special tokens), was " + maxSize);
    }
    Map<String, Integer> words = new HashMap<>();
    Map<String, Integer> chars = new HashMap<>();
    for (String text : trainingText) {
      for (String w : words(text)) {
        words.merge(w, 1, Integer::sum);
        w.codePoints().forEach(c -> chars.merge(new String(Character.toChars(c)), 1, Integer::sum));
      }
    }
    LinkedHashMap<String, Boolean> vocab = new LinkedHashMap<>();
    SPECIALS.forEach(s -> vocab.put(s, true));
    Comparator<Map.Entry<String, Integer>> byCount =
        Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
    List<Map.Entry<String, Integer>> charList = new ArrayList<>(chars.entrySet());
    charList.sort(byCount);
    for (Map.Entry<String, Integer> c : charList) {
      add(vocab, c.getKey(), maxSize);
      add(vocab, "##" + c.getKey(), maxSize);
    }
    List<Map.Entry<String, Integer>> wordList = new ArrayList<>(words.entrySet());
    wordList.sort(byCount);
    for (Map.Entry<String, Integer> w : wordList) {
      if (vocab.size() >= maxSize) {
        break;
      }
      add(vocab, w.getKey(), maxSize);
    }
    return new WordPieceTokenizer(new ArrayList<>(vocab.keySet()));
  }

  private static void add(LinkedHashMap<String, Boolean> vocab, String token, int maxSize) {
    if (vocab.size() < maxSize) {
      vocab.putIfAbsent(token, true);
    }
  }

  /** BERT's basic pre-tokenization, uncased: white space, then punctuation as words of their own. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    String lower = text.toLowerCase(Locale.ROOT);
    for (int i = 0; i < lower.length(); ) {
      int c = lower.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        flush(word, out);
      } else if (isPunctuation(c)) {
        flush(word, out);
        out.add(new String(Character.toChars(c)));
      } else {
        word.appendCodePoint(c);
      }
    }
    flush(word, out);
    return out;
  }

  private static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION;
  }

  private static void flush(StringBuilder word, List<String> out) {
    if (word.length() > 0) {
      out.add(word.toString());
      word.setLength(0);
    }
  }

  @Override
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    for (String w : words(text)) {
      pieces(w, out);
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Greedy longest-match-first WordPiece of one word (BERT's WordpieceTokenizer). */
  private void pieces(String word, List<Integer> out) {
    Integer whole = ids.get(word);
    if (whole != null) {
      out.add(whole);
      return;
    }
    if (word.length() > MAX_WORD_CHARS) {
      out.add(UNK);
      return;
    }
    List<Integer> parts = new ArrayList<>();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (end > start) {
        String piece = (start > 0 ? "##" : "") + word.substring(start, end);
        found = ids.get(piece);
        if (found != null) {
          break;
        }
        end--;
      }
      if (found == null) {
        out.add(UNK); // a character never seen in training: the whole word is unknown
        return;
      }
      parts.add(found);
      start = end;
    }
    out.addAll(parts);
  }

  @Override
  public String decode(int[] idsToDecode) {
    StringBuilder sb = new StringBuilder();
    for (int id : idsToDecode) {
      String t = id >= 0 && id < tokens.length ? tokens[id] : "[UNK]";
      if (t.startsWith("##")) {
        sb.append(t, 2, t.length());
      } else {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(t);
      }
    }
    return sb.toString();
  }

  /** The token string of {@code id}. */
  public String token(int id) {
    return tokens[id];
  }

  @Override
  public int vocabularySize() {
    return tokens.length;
  }

  @Override
  public String describe() {
    return "WordPiece, uncased, " + tokens.length + " entries from the training text";
  }
}
