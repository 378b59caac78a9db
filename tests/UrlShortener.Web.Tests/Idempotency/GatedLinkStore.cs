using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UrlShortener.Core.Links;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Idempotency;

/// <summary>The app's real link store, whose creates wait at a gate the test opens: a create that is still running, on demand.</summary>
internal sealed class GatedLinkStore(ILinkStore store, Task gate) : ILinkStore
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void Install(IServiceCollection services, Task gate)
    {
        var registration = services.Last(d => d.ServiceType == typeof(ILinkStore));
        services.RemoveAll<ILinkStore>();
        services.AddSingleton<ILinkStore>(sp => new GatedLinkStore((ILinkStore)registration.ImplementationFactory!(sp), gate));
    }

    public static Task WaitUntilHeldAsync(ShortenerApp app) =>
        ((GatedLinkStore)app.Service<ILinkStore>())._held.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public async Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken)
    {
        _held.TrySetResult();
        await gate.WaitAsync(cancellationToken);
        return await store.TryCreateAsync(link, cancellationToken);
    }

    public int CreateManyBatchSize => store.CreateManyBatchSize;

    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken) => store.TryCreateManyAsync(links, cancellationToken);

    public Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken) => store.FindAsync(code, cancellationToken);

    public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) => store.TryReplaceAsync(current, updated, cancellationToken);

    public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        store.ListByOwnerAsync(owner, limit, after, cancellationToken);
}
