namespace UrlShortener.Core.Keys;

/// <summary>Counter values <c>[Start, Start + Count)</c>, handed to one instance alone.</summary>
public readonly record struct KeyRange(ulong Start, int Count)
{
    public ulong End => Start + (ulong)Count;
}

/// <summary>The key-generation function: hands out disjoint ranges of counter values.</summary>
public interface IKeyRangeSource
{
    /// <summary>Atomically reserves the next <paramref name="count"/> counter values.</summary>
    Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken);
}

/// <summary>Hands out generated short codes.</summary>
public interface IShortCodeGenerator
{
    ValueTask<string> NextCodeAsync(CancellationToken cancellationToken);

    /// <summary><paramref name="count"/> codes at once, for a bulk create: drawn together rather than one by one.</summary>
    ValueTask<IReadOnlyList<string>> NextCodesAsync(int count, CancellationToken cancellationToken);
}
