using BenchmarkDotNet.Attributes;
using UrlShortener.Core.Keys;

namespace UrlShortener.Benchmarks.Micro;

/// <summary>A new short code: the keyed permutation of a counter value, then Base62 (target: ≥ 10 M codes/s on one core).</summary>
public class CodeGenerationBenchmarks
{
    private const int Codes = 1024;
    private readonly CodeScrambler _scrambler = new("benchmark-secret-that-is-long-enough", 7);
    private ulong _next = 1_000_000;

    [Benchmark(OperationsPerInvoke = Codes, Description = "ToCode: permute + Base62 (7 chars)")]
    public string NextCode()
    {
        var code = string.Empty;
        for (var i = 0; i < Codes; i++)
        {
            code = _scrambler.ToCode(_next++);
        }

        return code;
    }

    [Benchmark(OperationsPerInvoke = Codes, Description = "Scramble only (Feistel, cycle-walked)")]
    public ulong Permute()
    {
        ulong value = 0;
        for (var i = 0; i < Codes; i++)
        {
            value ^= _scrambler.Scramble(_next++);
        }

        return value;
    }

    [Benchmark(OperationsPerInvoke = Codes, Description = "Base62 only (7 chars)")]
    public string Encode()
    {
        var code = string.Empty;
        for (var i = 0; i < Codes; i++)
        {
            code = Base62.Encode(_next++, 7);
        }

        return code;
    }
}
