namespace UrlShortener.Core;

/// <summary>How an adapter awaits its SDK: what its translation recognises leaves as a <see cref="StoreUnavailableException"/>.</summary>
public static class StoreFailures
{
    public static async Task<T> Translate<T>(Task<T> call, Func<Exception, StoreUnavailableException?> translate)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception exception) when (translate(exception) is { } failure)
        {
            throw failure;
        }
    }

    public static async Task Translate(Task call, Func<Exception, StoreUnavailableException?> translate)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception exception) when (translate(exception) is { } failure)
        {
            throw failure;
        }
    }
}
