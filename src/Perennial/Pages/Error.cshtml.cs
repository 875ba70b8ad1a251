using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Perennial.Pages;

/// <summary>The friendly page for error statuses; re-executed for any method, so it describes itself before any handler.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Status { get; private set; }
    public string Heading { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public override void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = int.TryParse(RouteData.Values["status"] as string, out var s) ? s : 500;
        Status = status is >= 400 and < 600 ? status : 500;
        (Heading, Explanation) = Status switch
        {
            400 => ("Bad request", "The request could not be understood. Check the form and try again."),
            403 => ("Not allowed", "Your role does not allow this. Ask an administrator of the organisation if you need it."),
            404 => ("Not found", "There is nothing here, or it belongs to an organisation you are not a member of."),
            405 => ("Not allowed here", "This address does not accept that kind of request."),
            _ => ("Something went wrong", "The server could not complete the request. It has been logged."),
        };
        Response.StatusCode = Status;
    }

    public void OnGet()
    {
    }

    public void OnPost()
    {
    }
}
