using UrlShortener.Core.Keys;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// Where a link's row sits in the embedded <c>links</c> table. A code of the generated shape is keyed by the counter
/// value it is the scrambled form of, so the rows of new links append at the end of the table's B-tree: kept in
/// the order of their (random-looking) codes, each landed on a random page and cost a page write of its own
/// (docs/benchmarks.md). An alias of that shape takes the same key, so that it and a generated code can never be the
/// same code twice (the generated one is drawn again). Other aliases take negative keys and are found through the
/// index of their codes.
/// </summary>
public sealed class LinkRowKeys(CodeScrambler scrambler)
{
    /// <summary>The key of a row found by its code (negative keys are handed out in turn).</summary>
    public const long ByCode = -1;

    /// <summary>Names the mapping: a store keyed under one secret and length cannot be read under another.</summary>
    public string Fingerprint { get; } = $"{scrambler.CodeLength}:{scrambler.ToCode(0)}:{scrambler.ToCode(1)}";

    /// <summary>The counter value <paramref name="code"/> is the scrambled form of, or <see cref="ByCode"/> if it is none.</summary>
    public long Of(string code) =>
        code.Length == scrambler.CodeLength && Base62.TryDecode(code, out var value) && value < scrambler.SpaceSize
            ? (long)scrambler.Unscramble(value)
            : ByCode;
}
