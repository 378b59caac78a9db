using UrlShortener.Core.Clicks;
using UrlShortener.Core.Keys;

namespace UrlShortener.Core.Links;

/// <summary>Creating, reading, listing, changing and deleting an owner's short links.</summary>
public sealed class LinkService(
    ILinkStore store,
    IShortCodeGenerator codes,
    ILinkCacheInvalidator cache,
    IStatsStore stats,
    TimeProvider clock)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    // A generated code is taken only when someone chose it as an alias: a second try all but always works.
    private const int GeneratedCodeAttempts = 8;

    // Changes to one link queue behind one of these, so that an instance applies its own concurrent
    // changes one after another instead of failing each other's revision check; only changes from
    // other instances can still race, and those retry with a growing, jittered pause.
    private const int ConcurrentChangeAttempts = 6;
    private static readonly TimeSpan FirstRetryPause = TimeSpan.FromMilliseconds(10);
    private readonly SemaphoreSlim[] _changeTurns = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    // Links carry millisecond precision: what a store keeps is exactly what the API returned.
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>
    /// Adds what is wrong with <paramref name="draft"/> to <paramref name="errors"/>, skipping fields that
    /// already have an error (e.g. a wrong JSON type), so that a client learns every problem at once.
    /// </summary>
    public void Validate(RequestContext context, LinkDraft draft, ValidationErrors errors) => Prepare(context, draft, Now(), errors, hashPassword: false);

    public async Task<CreateLinkResult> CreateAsync(RequestContext context, LinkDraft draft, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var link = Prepare(context, draft, Now(), errors, hashPassword: true);
        if (link is null)
        {
            return new CreateLinkResult.Invalid(errors);
        }

        if (draft.Alias is not null)
        {
            if (!await store.TryCreateAsync(link, cancellationToken).ConfigureAwait(false))
            {
                return new CreateLinkResult.AliasTaken(draft.Alias);
            }

            await cache.InvalidateAsync(link.Code, cancellationToken).ConfigureAwait(false);
            return new CreateLinkResult.Created(link);
        }

        for (var attempt = 0; attempt < GeneratedCodeAttempts; attempt++)
        {
            var generated = link with { Code = await codes.NextCodeAsync(cancellationToken).ConfigureAwait(false) };
            if (await store.TryCreateAsync(generated, cancellationToken).ConfigureAwait(false))
            {
                await cache.InvalidateAsync(generated.Code, cancellationToken).ConfigureAwait(false);
                return new CreateLinkResult.Created(generated);
            }
        }

        throw new InvalidOperationException($"{GeneratedCodeAttempts} generated codes in a row were already taken: is the code secret shared with another deployment on this store?");
    }

    /// <summary>
    /// Creates <paramref name="drafts"/> as <see cref="CreateAsync"/> would each, with the store taking them a chunk of
    /// its <see cref="ILinkStore.CreateManyBatchSize"/> at a time. Each has its own outcome, in order: a chunk the store failed on is <see cref="CreateLinkResult.NotStored"/>.
    /// </summary>
    public async Task<IReadOnlyList<CreateLinkResult>> CreateManyAsync(RequestContext context, IReadOnlyList<LinkDraft> drafts, CancellationToken cancellationToken)
    {
        var now = Now();
        var results = new CreateLinkResult[drafts.Count];
        var pending = new List<(int Index, ShortLink Link)>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            var errors = new ValidationErrors();

            // A password's hash is deliberately slow (tens of milliseconds): a thousand in one call would tie up the CPU.
            if (drafts[i].Password is not null)
            {
                errors.Add("password", "cannot be set in a bulk create: create the link alone (POST /api/links), or set it with PATCH.");
            }

            if (Prepare(context, drafts[i], now, errors, hashPassword: false) is not { } link)
            {
                results[i] = new CreateLinkResult.Invalid(errors);
                continue;
            }

            pending.Add((i, link));
        }

        // The generated codes are drawn together: one draw of the counter for the call, not one per range.
        var generated = pending.Count(p => drafts[p.Index].Alias is null);
        if (generated > 0)
        {
            var drawn = await codes.NextCodesAsync(generated, cancellationToken).ConfigureAwait(false);
            var next = 0;
            for (var j = 0; j < pending.Count; j++)
            {
                if (drafts[pending[j].Index].Alias is null)
                {
                    pending[j] = (pending[j].Index, pending[j].Link with { Code = drawn[next++] });
                }
            }
        }

        foreach (var chunk in pending.Chunk(store.CreateManyBatchSize))
        {
            IReadOnlyList<bool> created;
            try
            {
                created = await store.TryCreateManyAsync([.. chunk.Select(p => p.Link)], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is StoreUnavailableException or TimeoutException)
            {
                foreach (var (index, _) in chunk)
                {
                    results[index] = new CreateLinkResult.NotStored();
                }

                continue;
            }

            for (var j = 0; j < chunk.Length; j++)
            {
                var (index, link) = chunk[j];
                if (created[j])
                {
                    await cache.InvalidateAsync(link.Code, cancellationToken).ConfigureAwait(false);
                    results[index] = new CreateLinkResult.Created(link);
                }
                else
                {
                    // A taken alias is the creator's to change; a taken generated code (an alias someone chose) is drawn again.
                    results[index] = drafts[index].Alias is { } alias ? new CreateLinkResult.AliasTaken(alias) : await CreateAsync(context, drafts[index], cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return results;
    }

    private static ShortLink? Prepare(RequestContext context, LinkDraft draft, DateTimeOffset now, ValidationErrors errors, bool hashPassword)
    {
        var url = Unless(errors, "url") ? LinkRules.CheckUrl("url", draft.Url, context, errors) : null;
        var fallbackUrl = draft.FallbackUrl is not null && Unless(errors, "fallbackUrl")
            ? LinkRules.CheckUrl("fallbackUrl", draft.FallbackUrl, context, errors)
            : null;
        if (draft.Alias is not null && Unless(errors, "alias") && ShortCode.CheckAlias(draft.Alias) is { } aliasProblem)
        {
            errors.Add("alias", aliasProblem);
        }

        if (Unless(errors, "expiresAt"))
        {
            LinkRules.CheckExpiry(draft.ExpiresAt, now, errors);
        }

        if (Unless(errors, "maxClicks"))
        {
            LinkRules.CheckMaxClicks(draft.MaxClicks, errors);
        }

        var redirectType = Unless(errors, "redirectType") ? LinkRules.CheckRedirectType(draft.RedirectType, errors) : default;
        var tags = Unless(errors, "tags") ? LinkRules.CheckTags(draft.Tags, errors) : [];
        var title = Unless(errors, "title") ? LinkRules.CheckTitle(draft.Title, errors) : null;
        var utm = Unless(errors, "utm") ? LinkRules.CheckUtm(null, draft.Utm, errors) : null;
        if (draft.Password is { } password && Unless(errors, "password") && LinkPassword.Check(password) is { } passwordProblem)
        {
            errors.Add("password", passwordProblem);
        }

        if (!errors.IsEmpty)
        {
            return null;
        }

        return new ShortLink
        {
            Code = draft.Alias ?? string.Empty,
            Owner = context.Owner,
            Url = url!,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = TruncateToMilliseconds(draft.ExpiresAt),
            MaxClicks = draft.MaxClicks,
            RedirectType = redirectType,
            FallbackUrl = fallbackUrl,
            ForwardQuery = draft.ForwardQuery ?? false,
            Tags = tags,
            Title = title,
            Utm = utm,
            PasswordHash = hashPassword && draft.Password is { } secret ? LinkPassword.Hash(secret) : null,
            IsCustomAlias = draft.Alias is not null,
            Revision = 1,
        };
    }

    private static bool Unless(ValidationErrors errors, string field) => !errors.Contains(field);

    private static DateTimeOffset? TruncateToMilliseconds(DateTimeOffset? value) =>
        value is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v.ToUnixTimeMilliseconds()) : null;

    /// <summary>The owner's link; null when it does not exist, is deleted, or belongs to someone else.</summary>
    public async Task<ShortLink?> GetAsync(string owner, string code, CancellationToken cancellationToken)
    {
        if (!ShortCode.IsWellFormed(code))
        {
            return null;
        }

        var link = await store.FindAsync(code, cancellationToken).ConfigureAwait(false);
        return link is { DeletedAt: null } && link.Owner == owner ? link : null;
    }

    public async Task<LinkPage> ListAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        await ListAsync(owner, limit, after, LinkFilter.None, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A page of the owner's links that match <paramref name="filter"/>, newest first. The cursor is the last link's
    /// (created, code), so links created meanwhile (newer) never shift a later page.
    /// </summary>
    public async Task<LinkPage> ListAsync(string owner, int limit, LinkCursor? after, LinkFilter filter, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);

        // One more than asked tells whether a next page exists. A filter is applied here, the same on every store,
        // reading the owner's links in the list's own order a batch at a time until the page is full.
        var batch = filter.IsEmpty ? limit + 1 : Math.Max(limit + 1, FilterBatchSize);
        var items = new List<ShortLink>(limit + 1);
        var cursor = after;
        while (items.Count <= limit)
        {
            var read = await store.ListByOwnerAsync(owner, batch, cursor, cancellationToken).ConfigureAwait(false);
            items.AddRange(read.Where(filter.Matches).Take(limit + 1 - items.Count));
            if (read.Count < batch)
            {
                break;
            }

            cursor = LinkCursor.After(read[^1]);
        }

        return items.Count > limit
            ? new LinkPage(items.Take(limit).ToList(), LinkCursor.After(items[limit - 1]))
            : new LinkPage(items, null);
    }

    private const int FilterBatchSize = 200;

    public Task<UpdateLinkResult> UpdateAsync(RequestContext context, string code, LinkChanges changes, CancellationToken cancellationToken)
    {
        // Hashed once, outside the retries: the hash is the slow part of a change.
        var password = changes.Password is { IsSet: true, Value: { } given }
            ? (LinkPassword.Check(given) is { } problem ? new PasswordChange(null, problem) : new PasswordChange(LinkPassword.Hash(given), null))
            : new PasswordChange(null, null);
        return InTurnAsync(code, new UpdateLinkResult.Conflict(), ct => TryUpdateAsync(context, code, changes, password, ct), cancellationToken);
    }

    private sealed record PasswordChange(string? Hash, string? Problem);

    /// <returns>The outcome, or null when the link changed under this attempt.</returns>
    private async Task<UpdateLinkResult?> TryUpdateAsync(RequestContext context, string code, LinkChanges changes, PasswordChange password, CancellationToken cancellationToken)
    {
        var current = await GetAsync(context.Owner, code, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return new UpdateLinkResult.NotFound();
        }

        var now = Now();
        var errors = new ValidationErrors();
        var url = changes.Url.IsSet ? LinkRules.CheckUrl("url", changes.Url.Value, context, errors) : current.Url;
        var fallbackUrl = changes.FallbackUrl is { IsSet: true, Value: { } fallback }
            ? LinkRules.CheckUrl("fallbackUrl", fallback, context, errors)
            : changes.FallbackUrl.Or(current.FallbackUrl);
        if (changes.ExpiresAt.IsSet)
        {
            LinkRules.CheckExpiry(changes.ExpiresAt.Value, now, errors);
        }

        LinkRules.CheckMaxClicks(changes.MaxClicks.Or(current.MaxClicks), errors);
        var redirectType = changes.RedirectType.IsSet
            ? LinkRules.CheckRedirectType(changes.RedirectType.Value, errors)
            : current.RedirectType;
        var tags = changes.Tags.IsSet ? LinkRules.CheckTags(changes.Tags.Value, errors) : current.Tags;
        var title = changes.Title.IsSet ? LinkRules.CheckTitle(changes.Title.Value, errors) : current.Title;
        var utm = changes.Utm switch
        {
            { IsSet: false } => current.Utm,
            { Value: null } => null,
            { Value: { } patch } => LinkRules.CheckUtm(current.Utm, patch, errors),
        };
        if (password.Problem is { } passwordProblem)
        {
            errors.Add("password", passwordProblem);
        }

        if (!errors.IsEmpty)
        {
            return new UpdateLinkResult.Invalid(errors);
        }

        // A new cap is judged against the clicks counted so far: raised above them, the link works again.
        var maxClicks = changes.MaxClicks.Or(current.MaxClicks);
        var exhaustedAt = current.ExhaustedAt;
        if (changes.MaxClicks.IsSet)
        {
            exhaustedAt = maxClicks is { } max && await stats.TotalAsync(code, cancellationToken).ConfigureAwait(false) >= max
                ? current.ExhaustedAt ?? now
                : null;
        }

        var updated = current with
        {
            ExhaustedAt = exhaustedAt,
            Url = url!,
            ExpiresAt = changes.ExpiresAt.IsSet ? TruncateToMilliseconds(changes.ExpiresAt.Value) : current.ExpiresAt,
            MaxClicks = maxClicks,
            RedirectType = redirectType,
            FallbackUrl = fallbackUrl,
            ForwardQuery = changes.ForwardQuery.Or(current.ForwardQuery),
            Tags = tags,
            Title = title,
            Utm = utm,
            PasswordHash = changes.Password.IsSet ? password.Hash : current.PasswordHash,
            Disabled = changes.Disabled.Or(current.Disabled),
            UpdatedAt = now,
            Revision = current.Revision + 1,
        };

        return await TryReplaceAsync(current, updated, cancellationToken).ConfigureAwait(false)
            ? new UpdateLinkResult.Updated(updated)
            : null;
    }

    /// <summary>
    /// Called after clicks were counted: when <paramref name="code"/> has a cap and its counted human
    /// clicks reached it, the link is marked exhausted and answers 410 (or its fallback) from then on.
    /// </summary>
    /// <returns>True when this call marked it.</returns>
    public async Task<bool> EnforceMaxClicksAsync(string code, CancellationToken cancellationToken) =>
        await InTurnAsync<bool?>(code, false, async ct =>
        {
            var current = await store.FindAsync(code, ct).ConfigureAwait(false);
            if (current is not { MaxClicks: { } max, ExhaustedAt: null, DeletedAt: null }
                || await stats.TotalAsync(code, ct).ConfigureAwait(false) < max)
            {
                return false;
            }

            var now = Now();
            return await TryReplaceAsync(current, current with { ExhaustedAt = now, UpdatedAt = now, Revision = current.Revision + 1 }, ct).ConfigureAwait(false)
                ? true
                : null;
        }, cancellationToken).ConfigureAwait(false) ?? false;

    /// <summary>Marks the link deleted: its code is never handed out again and answers 410 from now on.</summary>
    public async Task<DeleteLinkResult> DeleteAsync(string owner, string code, CancellationToken cancellationToken) =>
        await InTurnAsync<DeleteLinkResult?>(code, DeleteLinkResult.Conflict, async ct =>
        {
            var current = await GetAsync(owner, code, ct).ConfigureAwait(false);
            if (current is null)
            {
                return DeleteLinkResult.NotFound;
            }

            var now = Now();
            return await TryReplaceAsync(current, current with { DeletedAt = now, UpdatedAt = now, Revision = current.Revision + 1 }, ct).ConfigureAwait(false)
                ? DeleteLinkResult.Deleted
                : null;
        }, cancellationToken).ConfigureAwait(false) ?? DeleteLinkResult.Conflict;

    private async Task<bool> TryReplaceAsync(ShortLink current, ShortLink replacement, CancellationToken cancellationToken)
    {
        if (!await store.TryReplaceAsync(current, replacement, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await cache.InvalidateAsync(current.Code, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> in the link's turn until it gives an outcome (null: the link changed
    /// under it), pausing between attempts; <paramref name="conflict"/> when it never did.
    /// </summary>
    private async Task<T> InTurnAsync<T>(string code, T conflict, Func<CancellationToken, Task<T?>> attempt, CancellationToken cancellationToken)
    {
        var turn = _changeTurns[(uint)StringComparer.Ordinal.GetHashCode(code) % (uint)_changeTurns.Length];
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pause = FirstRetryPause;
            for (var tries = 1; ; tries++)
            {
                if (await attempt(cancellationToken).ConfigureAwait(false) is { } outcome)
                {
                    return outcome;
                }

                if (tries == ConcurrentChangeAttempts)
                {
                    return conflict;
                }

                await Task.Delay(pause * (0.5 + Random.Shared.NextDouble()), clock, cancellationToken).ConfigureAwait(false);
                pause *= 2;
            }
        }
        finally
        {
            turn.Release();
        }
    }
}
