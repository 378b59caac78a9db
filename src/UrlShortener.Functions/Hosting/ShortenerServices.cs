using Microsoft.Extensions.Options;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Functions.Caching;

namespace UrlShortener.Functions.Hosting;

public static class ShortenerServices
{
    /// <summary>The domain services: code generation, the link service, the redirect cache.</summary>
    public static WebApplicationBuilder AddShortener(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ShortenerOptions>()
            .BindConfiguration(ShortenerOptions.Section)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (environment.IsDevelopment() && string.IsNullOrEmpty(options.CodeSecret))
                {
                    options.CodeSecret = ShortenerOptions.DevelopmentCodeSecret;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShortenerOptions>, ShortenerOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<StoreDeadline>();
        services.AddOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>().PostConfigure<StoreDeadline>(StoreDeadline.Apply);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ShortenerOptions>>().Value;
            return new CodeScrambler(options.CodeSecret!, options.CodeLength);
        });
        services.AddSingleton<IShortCodeGenerator>(sp => new KeyPool(
            sp.GetRequiredService<IKeyRangeSource>(),
            sp.GetRequiredService<CodeScrambler>(),
            sp.GetRequiredService<IOptions<ShortenerOptions>>().Value.KeyRangeSize));
        services.AddSingleton<LinkLookup>();
        services.AddSingleton<ILinkCacheInvalidator>(sp => sp.GetRequiredService<LinkLookup>());
        services.AddSingleton<LinkService>();
        services.AddSingleton<ShortUrls>();
        return builder;
    }
}
