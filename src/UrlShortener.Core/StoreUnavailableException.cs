namespace UrlShortener.Core;

/// <summary>
/// A backend that did not answer, was throttled past its client's retries, or ran out of room: what every
/// adapter turns its SDK's failures into, so that callers handle one type (the API answers 503 + Retry-After).
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string store, string message, Exception? innerException = null)
        : base(message, innerException) => Store = store;

    public StoreUnavailableException()
        : this("store", "The store did not answer.")
    {
    }

    public StoreUnavailableException(string message)
        : this("store", message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : this("store", message, innerException)
    {
    }

    /// <summary>Which adapter failed, e.g. <c>sqlite</c> or <c>cosmos</c>.</summary>
    public string Store { get; }
}
