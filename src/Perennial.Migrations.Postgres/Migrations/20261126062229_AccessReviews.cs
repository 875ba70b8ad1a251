using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AccessReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessReviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    OccurrenceId = table.Column<Guid>(type: "uuid", nullable: false),
                    System = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SnapshotEvidenceItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    SnapshotTakenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SignedOffByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    SignedOffAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SignOffNote = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    RecordEvidenceItemId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_ReviewerUserId",
                        column: x => x.ReviewerUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_SignedOffByUserId",
                        column: x => x.SignedOffByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_EvidenceItems_RecordEvidenceItemId",
                        column: x => x.RecordEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviews_EvidenceItems_SnapshotEvidenceItemId",
                        column: x => x.SnapshotEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviews_Occurrences_OccurrenceId",
                        column: x => x.OccurrenceId,
                        principalTable: "Occurrences",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviews_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccessReviewEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccessReviewId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    AccountId = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Name = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    Disabled = table.Column<bool>(type: "boolean", nullable: false),
                    Access = table.Column<List<string>>(type: "text[]", nullable: false),
                    Decision = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    AccessToRemove = table.Column<List<string>>(type: "text[]", nullable: false),
                    DecidedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviewEntries_AccessReviews_AccessReviewId",
                        column: x => x.AccessReviewId,
                        principalTable: "AccessReviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewEntries_AspNetUsers_DecidedByUserId",
                        column: x => x.DecidedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AccessReviewActions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccessReviewId = table.Column<Guid>(type: "uuid", nullable: false),
                    EntryId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    State = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    AssigneeUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    DueDate = table.Column<DateOnly>(type: "date", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ConfirmedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConfirmingSnapshotEvidenceItemId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviewActions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AccessReviewEntries_EntryId",
                        column: x => x.EntryId,
                        principalTable: "AccessReviewEntries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AccessReviews_AccessReviewId",
                        column: x => x.AccessReviewId,
                        principalTable: "AccessReviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AspNetUsers_AssigneeUserId",
                        column: x => x.AssigneeUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_EvidenceItems_ConfirmingSnapshotEvidenc~",
                        column: x => x.ConfirmingSnapshotEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_AccessReviewId",
                table: "AccessReviewActions",
                column: "AccessReviewId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_AssigneeUserId",
                table: "AccessReviewActions",
                column: "AssigneeUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_ConfirmingSnapshotEvidenceItemId",
                table: "AccessReviewActions",
                column: "ConfirmingSnapshotEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_EntryId",
                table: "AccessReviewActions",
                column: "EntryId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_OrganisationId_State",
                table: "AccessReviewActions",
                columns: new[] { "OrganisationId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEntries_AccessReviewId_Position",
                table: "AccessReviewEntries",
                columns: new[] { "AccessReviewId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEntries_DecidedByUserId",
                table: "AccessReviewEntries",
                column: "DecidedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_CreatedByUserId",
                table: "AccessReviews",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_OccurrenceId",
                table: "AccessReviews",
                column: "OccurrenceId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_OrganisationId_State",
                table: "AccessReviews",
                columns: new[] { "OrganisationId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_RecordEvidenceItemId",
                table: "AccessReviews",
                column: "RecordEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_ReviewerUserId",
                table: "AccessReviews",
                column: "ReviewerUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SignedOffByUserId",
                table: "AccessReviews",
                column: "SignedOffByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SnapshotEvidenceItemId",
                table: "AccessReviews",
                column: "SnapshotEvidenceItemId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessReviewActions");

            migrationBuilder.DropTable(
                name: "AccessReviewEntries");

            migrationBuilder.DropTable(
                name: "AccessReviews");
        }
    }
}
