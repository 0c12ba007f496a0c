using System.Text;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// The runnable form of a <see cref="ProgramTaskSpec"/>: the parsed program, its compiled reference (for the set of
/// output values), prompts and labels, and the data generators. Labels are the RASP evaluator's output of the
/// program on the input at the answer positions, as Python <c>str</c>, joined by single spaces. The prompt is the
/// template with <c>{input}</c> replaced by the input tokens, each preceded by one space (a space that ends the text
/// before <c>{input}</c> is that first space), so every input token is one LM token <c>" t"</c>.
/// </summary>
public sealed class ProgramTask
{
    public const string Placeholder = "{input}";
    /// <summary>Fewest distinct inputs a task may have (otherwise nothing is left to train on).</summary>
    public const int MinInputSpace = 20;
    public const int DefaultPoolSize = 20_000;

    private readonly Dictionary<string, int> _vocabIndex;

    public ProgramTaskSpec Spec { get; }
    /// <summary>The program as a spec (fresh ids per build) with the task's vocabulary, max length and causality.</summary>
    public ProgramSpec Program { get; }
    /// <summary>One built copy of the output SOp, for the evaluator.</summary>
    public SOp Output { get; }
    public IReadOnlyList<Value> Vocab { get; }
    public IReadOnlyList<string> VocabText { get; }
    /// <summary>The text before <c>{input}</c>, without trailing spaces.</summary>
    public string Prefix { get; }
    /// <summary>The text after <c>{input}</c>.</summary>
    public string Suffix { get; }
    public AnswerPositions Answer { get; }
    public bool Causal => Program.Causal;
    /// <summary>The program compiled for <see cref="ProgramTaskSpec.MaxLength"/> positions in tracr mode (output value set, checks).</summary>
    public CompiledModel Reference { get; }
    /// <summary>Distinct in-distribution inputs (saturates at <see cref="long.MaxValue"/>).</summary>
    public long InputSpace { get; }
    /// <summary>Distinct inputs of the length-OOD split.</summary>
    public long OodInputSpace { get; }
    public int MinLength => Spec.MinLength;
    public int MaxLength => Spec.MaxLength;
    public int OodMaxLength => Spec.EffectiveOodMaxLength;

    private ProgramTask(ProgramTaskSpec spec, ProgramSpec program, SOp output, IReadOnlyList<Value> vocab, string prefix, string suffix,
        AnswerPositions answer, CompiledModel reference)
    {
        Spec = spec; Program = program; Output = output; Vocab = vocab; Prefix = prefix; Suffix = suffix; Answer = answer; Reference = reference;
        VocabText = vocab.Select(Render).ToList();
        _vocabIndex = VocabText.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        InputSpace = Space(vocab.Count, spec.MinLength, spec.MaxLength);
        OodInputSpace = OodMaxLength > MaxLength ? Space(vocab.Count, MaxLength + 1, OodMaxLength) : 0;
    }

    /// <summary>Python <c>str(v)</c>.</summary>
    public static string Render(Value v) => v.ToString();

    /// <summary>
    /// Parses, checks and compiles the program of <paramref name="spec"/>. Every problem is an
    /// <see cref="ArgumentException"/> with a one-line message (program errors as <c>file:line:col: message</c>).
    /// </summary>
    public static ProgramTask Create(ProgramTaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int at = spec.Template.IndexOf(Placeholder, StringComparison.Ordinal);
        int count = at < 0 ? 0 : (spec.Template.Length - spec.Template.Replace(Placeholder, "", StringComparison.Ordinal).Length) / Placeholder.Length;
        if (count != 1)
            throw new ArgumentException($"the prompt template must contain {Placeholder} exactly once (found {count} in '{spec.Template}')");
        string prefix = spec.Template[..at].TrimEnd(' ');
        string suffix = spec.Template[(at + Placeholder.Length)..];
        if (suffix.Trim().Length == 0)
            throw new ArgumentException($"the prompt template '{spec.Template}' needs text after {Placeholder} (for example ' =') so that the end of the input is visible");
        if (spec.MaxLength < 1) throw new ArgumentException($"the max input length must be at least 1 (got {spec.MaxLength})");
        if (spec.MinLength < 1 || spec.MinLength > spec.MaxLength)
            throw new ArgumentException($"the min input length must be between 1 and the max length {spec.MaxLength} (got {spec.MinLength})");
        if (spec.EffectiveOodMaxLength <= spec.MaxLength)
            throw new ArgumentException($"the OOD length must be greater than the max input length {spec.MaxLength} (got {spec.EffectiveOodMaxLength})");
        if (spec.EffectiveOodMaxLength > 512)
            throw new ArgumentException($"the OOD length must be at most 512 (got {spec.EffectiveOodMaxLength})");
        if (spec.Vocab.Count == 0)
            throw new ArgumentException($"program '{spec.Path}' has no vocabulary: add '# vocab: a, b, c' to its header or give --vocab");
        var vocab = new List<Value>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in spec.Vocab)
        {
            if (item.Length == 0 || item.Any(char.IsWhiteSpace))
                throw new ArgumentException($"vocabulary token '{item}' is empty or contains whitespace: input tokens are written separated by spaces");
            var v = spec.LiteralVocab ? Value.ParseLiteral(item) : Value.Str(item);
            if (!seen.Add(Render(v))) throw new ArgumentException($"the vocabulary lists '{item}' twice");
            vocab.Add(v);
        }
        var answer = AnswerPositions.Parse(spec.Answer, spec.MinLength);
        if (Space(vocab.Count, spec.MinLength, spec.MaxLength) < MinInputSpace)
            throw new ArgumentException($"only {Space(vocab.Count, spec.MinLength, spec.MaxLength)} distinct inputs exist for {vocab.Count} tokens of lengths " +
                                        $"{spec.MinLength}-{spec.MaxLength}; at least {MinInputSpace} are needed (raise the max length or the vocabulary)");

        ParsedProgram parsed;
        try
        {
            string? dir = System.IO.Path.GetDirectoryName(spec.Path);
            parsed = RaspProgramText.Parse(spec.Text, DisplayName(spec.Path), directory: dir);
        }
        catch (RaspProgramException e)
        {
            throw new ArgumentException(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message);
        }
        ProgramSpec program;
        SOp output;
        try
        {
            program = parsed.ToProgramSpec(spec.Name, vocab, spec.MaxLength, spec.Causal);
            output = program.Build();
        }
        catch (Exception e) when (e is InvalidOperationException or RaspProgramException)
        {
            throw new ArgumentException(e.Message);
        }
        if (output.IsNumerical)
            throw new ArgumentException($"the output '{parsed.OutputName}' of {DisplayName(spec.Path)} is numerical: injection needs a categorical output " +
                                        "(the answer is read by argmax over its values); make it categorical, e.g. with a categorical map");
        CompiledModel reference;
        try
        {
            reference = RaspCompiler.Compile(program.Build(), program.Settings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string kind = e.GetType().Name is var n && n.StartsWith("Py", StringComparison.Ordinal) ? n[2..] : n;
            string message = string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            throw new ArgumentException($"cannot compile program '{spec.Name}' for vocabulary {{{string.Join(", ", spec.Vocab)}}} and max length {spec.MaxLength}: " +
                                        (e is CompilationException ? message : $"{kind}: {message}"));
        }
        if (!reference.CategoricalOutput)
            throw new ArgumentException($"the output of {DisplayName(spec.Path)} compiles to a numerical variable: injection needs a categorical output");
        var task = new ProgramTask(spec, program, output, vocab, prefix, suffix, answer, reference);
        task.CheckLabels();
        return task;
    }

    /// <summary>The path relative to the current folder when it is below it, else as stored.</summary>
    public static string DisplayName(string path)
    {
        try
        {
            string rel = System.IO.Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
            return rel.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(rel) ? path : rel;
        }
        catch (ArgumentException)
        {
            return path;
        }
    }

    private static long Space(int vocab, int min, int max)
    {
        long total = 0;
        for (int n = min; n <= max; n++)
        {
            double count = Math.Pow(vocab, n);
            if (count >= long.MaxValue / 4.0 || total > long.MaxValue / 4) return long.MaxValue;
            total += (long)count;
        }
        return total;
    }

    /// <summary>The input tokens of a code (one char per token: its vocabulary index).</summary>
    public Value[] Tokens(string code) => code.Select(c => Vocab[c]).ToArray();

    /// <summary>The prompt of an input given as token texts.</summary>
    public string Prompt(IEnumerable<string> tokens)
    {
        var sb = new StringBuilder(Prefix);
        foreach (var t in tokens) sb.Append(' ').Append(t);
        return sb.Append(Suffix).ToString();
    }

    /// <summary>The program's outputs on an input (the RASP evaluator; causal when the task is).</summary>
    public Value[] Evaluate(IReadOnlyList<Value> input) => RaspEvaluator.Evaluate(Output, input, Causal);

    /// <summary>The answer text of an input from the program's outputs on it.</summary>
    public string Label(IReadOnlyList<Value> input, IReadOnlyList<Value> outputs)
    {
        var parts = new List<string>();
        foreach (int p in Answer.For(input.Count))
        {
            var v = outputs[p];
            if (v.IsNone)
                throw new InvalidOperationException($"the output of {Spec.Name} is None at position {p} of input '{string.Join(' ', input.Select(Render))}': " +
                                                    "every answered position needs a value (choose other --answer positions or lengths)");
            parts.Add(Render(v));
        }
        return string.Join(' ', parts);
    }

    /// <summary>The answer text from the outputs at the positions of an input of <paramref name="n"/> tokens; null when one is None.</summary>
    public string? TryLabel(int n, IReadOnlyList<Value> outputs)
    {
        var positions = Answer.For(n);
        if (positions.Any(p => p < 0 || p >= outputs.Count || outputs[p].IsNone)) return null;
        return string.Join(' ', positions.Select(p => Render(outputs[p])));
    }

    public TaskExample Example(string code)
    {
        var input = Tokens(code);
        return new TaskExample(Prompt(code.Select(c => VocabText[c])), Label(input, Evaluate(input)));
    }

    /// <summary>The expected answer from the prompt alone (input read back from the text, RASP evaluator): the independent check.</summary>
    public string Solve(string prompt)
    {
        if (!prompt.StartsWith(Prefix, StringComparison.Ordinal) || !prompt.EndsWith(Suffix, StringComparison.Ordinal))
            throw new ArgumentException($"'{prompt}' is not a prompt of this task");
        string middle = prompt[Prefix.Length..^Suffix.Length];
        var input = middle.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => _vocabIndex.TryGetValue(t, out int i) ? Vocab[i] : throw new ArgumentException($"'{t}' is not in the vocabulary"))
            .ToArray();
        return Label(input, RaspEvaluator.Evaluate(Program.Build(), input, Causal));
    }

    /// <summary>
    /// The in-distribution pool: <paramref name="requested"/> distinct inputs (lengths uniform in [min, max], tokens
    /// uniform), or every input when the space is small, in a seed-determined order.
    /// </summary>
    public List<string> Pool(long seed, int requested) => Distinct(Seeds.Rng(seed, "program/pool"), requested, MinLength, MaxLength, InputSpace);

    /// <summary>The <c>length_ood</c> split: distinct inputs of lengths max+1 .. OOD max, labelled by the evaluator (inputs it cannot label are skipped).</summary>
    public List<TaskExample> LengthOod(long seed, int count)
    {
        var codes = Distinct(Seeds.Rng(seed, "program/length_ood"), count, MaxLength + 1, OodMaxLength, OodInputSpace);
        var items = new List<TaskExample>(codes.Count);
        foreach (var c in codes)
        {
            try
            {
                items.Add(Example(c));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A program may be undefined beyond its lengths (None outputs, errors): such inputs are not scored.
            }
        }
        return items;
    }

    private List<string> Distinct(Random rng, int requested, int min, int max, long space)
    {
        int n = (int)Math.Min(requested, space);
        int v = Vocab.Count;
        if (space <= 2L * n)
        {
            var all = new List<string>((int)space);
            for (int len = min; len <= max; len++)
            {
                var digits = new char[len];
                long total = (long)Math.Pow(v, len);
                for (long k = 0; k < total; k++)
                {
                    long x = k;
                    for (int i = len - 1; i >= 0; i--) { digits[i] = (char)(x % v); x /= v; }
                    all.Add(new string(digits));
                }
            }
            Seeds.Shuffle(all, rng);
            return n < all.Count ? all.GetRange(0, n) : all;
        }
        var seen = new HashSet<string>(n);
        var result = new List<string>(n);
        var buffer = new char[max];
        while (result.Count < n)
        {
            int len = rng.Next(min, max + 1);
            for (int i = 0; i < len; i++) buffer[i] = (char)rng.Next(v);
            var code = new string(buffer, 0, len);
            if (seen.Add(code)) result.Add(code);
        }
        return result;
    }

    /// <summary>Labels exist (no None, no error) on every input of a deterministic sample, min and max length included.</summary>
    private void CheckLabels()
    {
        foreach (var code in SampleCodes())
        {
            var input = Tokens(code);
            Value[] outputs;
            try
            {
                outputs = Evaluate(input);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException($"the program raised {e.GetType().Name} on input '{string.Join(' ', input.Select(Render))}': {e.Message.Split('\n')[0]}");
            }
            try
            {
                Label(input, outputs);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException(e.Message);
            }
        }
    }

    /// <summary>Every token repeated at the min and max lengths, then random inputs of every length (deterministic).</summary>
    public IEnumerable<string> SampleCodes(int random = 200)
    {
        for (int t = 0; t < Vocab.Count; t++)
        {
            yield return new string((char)t, MinLength);
            yield return new string((char)t, MaxLength);
        }
        var rng = new Random(12345);
        for (int k = 0; k < random; k++)
        {
            int len = MinLength + k % (MaxLength - MinLength + 1);
            var chars = new char[len];
            for (int i = 0; i < len; i++) chars[i] = (char)rng.Next(Vocab.Count);
            yield return new string(chars);
        }
    }

    /// <summary>
    /// Checks that <paramref name="tokenizer"/> writes every input token as one LM token " t" at a fixed offset after
    /// the prefix, that the text after the input does not begin with a vocabulary token, and that every output value
    /// round-trips as answer text. Returns the offset and the longest supervised text.
    /// </summary>
    public ProgramTokenization CheckTokenization(Gpt2Tokenizer tokenizer)
    {
        string variant = tokenizer.Variant switch
        {
            Gpt2TokenizerVariant.SplitDigits => "split-digits",
            Gpt2TokenizerVariant.SplitBrackets => "split-brackets",
            _ => "standard",
        };
        var single = new int[Vocab.Count];
        var mapped = new HashSet<int>();
        for (int i = 0; i < Vocab.Count; i++)
        {
            string t = VocabText[i];
            var ids = tokenizer.Encode(" " + t);
            if (ids.Length != 1)
                throw new ArgumentException($"vocabulary token '{t}' is not a single language-model token with a leading space: ' {t}' is {ids.Length} tokens " +
                                            $"under the {variant} tokenizer (choose single-token items, or another --tokenizer)");
            single[i] = ids[0];
            foreach (var variation in new[] { t, " " + t, t + " " })
            {
                var v = tokenizer.Encode(variation);
                if (v.Length == 1) mapped.Add(v[0]);
            }
        }
        var distinct = single.Distinct().Count();
        if (distinct != single.Length) throw new ArgumentException("two vocabulary tokens are the same language-model token");
        int offset = tokenizer.Encode(Prefix).Length;
        int maxPrompt = 0;
        foreach (var code in SampleCodes())
        {
            string prompt = Prompt(code.Select(c => VocabText[c]));
            var ids = tokenizer.Encode(prompt);
            bool ok = ids.Length > offset + code.Length;
            for (int k = 0; ok && k < code.Length; k++) ok = ids[offset + k] == single[code[k]];
            if (!ok)
                throw new ArgumentException($"the prompt template '{Spec.Template}' does not keep the input as one token per item after {offset} prefix token(s) " +
                                            $"under the {variant} tokenizer (prompt '{prompt.Replace("\n", "\\n")}'); change the text around {Placeholder}");
            if (mapped.Contains(ids[offset + code.Length]))
                throw new ArgumentException($"the text after {Placeholder} in the prompt template ('{Suffix.Replace("\n", "\\n")}') begins with a vocabulary token, " +
                                            "so the end of the input cannot be told: begin it with something else (for example ' =')");
            maxPrompt = Math.Max(maxPrompt, ids.Length);
        }
        int answerTokens = 1;
        foreach (var v in Reference.OutputValues)
        {
            if (v.IsNone) continue;
            string text = " " + Render(v);
            var ids = tokenizer.Encode(text);
            if (ids.Length == 0 || tokenizer.Decode(ids) != text)
                throw new ArgumentException($"output value {v.Repr()} does not round-trip through the {variant} tokenizer as answer text");
            answerTokens = Math.Max(answerTokens, ids.Length);
        }
        return new ProgramTokenization(offset, maxPrompt + Answer.Count(MaxLength) * answerTokens);
    }
}
