namespace UrlShortener.Core.Keys;

/// <summary>
/// This instance's supply of generated codes. Draws ranges of counter values from an
/// <see cref="IKeyRangeSource"/>, starts drawing the next range in the background once half of the
/// current one is used, and maps each value through the <see cref="CodeScrambler"/>. A range drawn
/// and not used up (a crash, a restart) is simply skipped: codes stay unique.
/// </summary>
public sealed class KeyPool : IShortCodeGenerator
{
    private readonly IKeyRangeSource _source;
    private readonly CodeScrambler _scrambler;
    private readonly int _rangeSize;
    private readonly Lock _gate = new();

    private ulong _next;
    private ulong _end;
    private KeyRange? _queued;
    private Task? _refill;

    public KeyPool(IKeyRangeSource source, CodeScrambler scrambler, int rangeSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rangeSize, 1);
        _source = source;
        _scrambler = scrambler;
        _rangeSize = rangeSize;
    }

    public ValueTask<string> NextCodeAsync(CancellationToken cancellationToken)
    {
        return TryTake(out var value, out var refill)
            ? ValueTask.FromResult(ToCode(value))
            : WaitForRangeAsync(refill!, cancellationToken);
    }

    /// <summary>
    /// Takes <paramref name="count"/> codes from the current range when it holds that many; otherwise draws a range of
    /// exactly <paramref name="count"/> for this call alone. A bulk create then waits for one draw, not for one per
    /// half range, and does not empty the range that single creates are served from.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> NextCodesAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        KeyRange range;
        lock (_gate)
        {
            if (_end - _next >= (ulong)count)
            {
                range = new KeyRange(_next, count);
                _next += (ulong)count;
                RefillOnceHalfUsedLocked();
            }
            else
            {
                range = default;
            }
        }

        if (range.Count == 0)
        {
            range = await _source.AcquireAsync(count, cancellationToken).ConfigureAwait(false);
        }

        var codes = new string[count];
        for (var i = 0; i < count; i++)
        {
            codes[i] = ToCode(range.Start + (ulong)i);
        }

        return codes;
    }

    private async ValueTask<string> WaitForRangeAsync(Task refill, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A failed draw surfaces here; the next call starts a fresh one.
            await refill.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (TryTake(out var value, out var next))
            {
                return ToCode(value);
            }

            refill = next!;
        }
    }

    private string ToCode(ulong value)
    {
        if (value >= _scrambler.SpaceSize)
        {
            throw new InvalidOperationException("The code space is exhausted: raise Shortener:CodeLength.");
        }

        return _scrambler.ToCode(value);
    }

    private bool TryTake(out ulong value, out Task? refill)
    {
        lock (_gate)
        {
            if (_next == _end && _queued is { } queued)
            {
                _next = queued.Start;
                _end = queued.End;
                _queued = null;
            }

            if (_next < _end)
            {
                value = _next++;
                RefillOnceHalfUsedLocked();

                refill = null;
                return true;
            }

            value = 0;
            refill = StartRefillLocked();
            return false;
        }
    }

    // The next range is drawn in the background once half of the current one is used.
    private void RefillOnceHalfUsedLocked()
    {
        if (_end - _next <= (ulong)_rangeSize / 2 && _queued is null)
        {
            StartRefillLocked();
        }
    }

    private Task StartRefillLocked()
    {
        // Task.Run never runs inline, so the continuation below cannot take the lock before we set _refill.
        return _refill ??= Task.Run(DrawRangeAsync);
    }

    private async Task DrawRangeAsync()
    {
        try
        {
            var range = await _source.AcquireAsync(_rangeSize, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _queued = range;
            }
        }
        finally
        {
            lock (_gate)
            {
                _refill = null;
            }
        }
    }
}
