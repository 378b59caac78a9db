using System.Security.Cryptography;
using System.Text;

namespace UrlShortener.Web.Passwords;

/// <summary>
/// The small page a browser gets for a password-protected link: one form that posts the password back to the
/// link's own URL (query included). It shows no text of the link's, so there is nothing of a creator's to escape;
/// its strict policy allows only its own style.
/// </summary>
public static class PasswordPage
{
    private const string Style =
        "body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f7f9;color:#1b1f24}"
        + "main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}"
        + "h1{font-size:1.25rem;margin:0 0 .5rem}label{display:block;margin:1rem 0 .25rem;font-weight:600}"
        + "input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px}"
        + "button{margin-top:1rem;padding:.5rem 1rem;font:inherit;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}"
        + "button:focus-visible,input:focus-visible{outline:3px solid #93c5fd;outline-offset:1px}"
        + "p[role=alert]{color:#b91c1c;font-weight:600}";

    /// <summary>The page's Content-Security-Policy: nothing but its one style block; no framing, no base, no script.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; base-uri 'none'; frame-ancestors 'none'";

    public static readonly string Ask = Render(null);
    public static readonly string Wrong = Render("Wrong password. Try again.");
    public static readonly string TooMany = Render("Too many attempts. Wait a minute, then try again.");

    private static string Render(string? alert) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
        + $"<title>Password required</title><style>{Style}</style></head><body><main>"
        + "<h1>This link is protected</h1><p>Enter its password to continue.</p>"
        + "<form method=\"post\">"
        + $"<label for=\"password\">Password</label><input id=\"password\" name=\"{LinkUnlocks.PasswordField}\" type=\"password\" autocomplete=\"current-password\" required autofocus maxlength=\"{Core.Links.LinkPassword.MaxLength}\""
        + (alert is null ? ">" : $" aria-describedby=\"alert\" aria-invalid=\"true\"><p id=\"alert\" role=\"alert\">{alert}</p>")
        + "<button type=\"submit\">Continue</button></form></main></body></html>";

    /// <summary>Answers <paramref name="status"/> with <paramref name="page"/> and the headers that keep it to itself.</summary>
    public static Task WriteAsync(HttpContext context, int status, string page)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.WriteAsync(page, context.RequestAborted);
    }
}
