using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class NonconformityRiskReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RiskReviewRequestedAt",
                table: "Nonconformities",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RiskReviewRequestedByName",
                table: "Nonconformities",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RiskReviewRequestedAt",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "RiskReviewRequestedByName",
                table: "Nonconformities");
        }
    }
}
