"""PUBLIC schema: the industry supply-and-demand boards (供求信息平台).

Every table here lives in the public schema and points only at public rows (enterprises, users).
A listing linked to an ERP item keeps the item's id as a plain number: the item lives in the
posting enterprise's schema and is read there, one lookup at a time (selectors.listing_stock).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

QTY = {"max_digits": 18, "decimal_places": 4}
MONEY = {"max_digits": 18, "decimal_places": 4}


class Board(models.Model):
    """An industry portal: household appliances, textiles & chemical fibres, bearings, vehicles."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # GB/T 4754-2017 class prefixes whose enterprises are at home on this board ("385", "17", ...)
    industry_prefixes = ArrayField(models.CharField(max_length=4), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("board")
        verbose_name_plural = _("boards")

    def __str__(self):
        return self.name


class Category(models.Model):
    """A node of a board's category tree, mapped to GB/T 4754-2017 industry classes."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    industry_codes = ArrayField(models.CharField(max_length=4), default=list, blank=True,
                                verbose_name=_("GB/T 4754-2017 classes"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["board__sort_order", "sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class EnterpriseCard(models.Model):
    """What the boards show about an enterprise beyond the control-plane row, and its board settings."""

    enterprise = models.OneToOneField("tenants.Enterprise", on_delete=models.CASCADE, related_name="board_card")
    established_year = models.PositiveSmallIntegerField(_("year established"), null=True, blank=True)
    introduction = models.TextField(_("introduction"), blank=True, max_length=2000)
    main_products = models.CharField(_("main products"), max_length=255, blank=True)
    # Filled from the government credit data (api/govdata) once it is linked; "unverified" until then.
    credit_verified = models.BooleanField(_("credit verified"), default=False)
    credit_level = models.CharField(_("credit level"), max_length=20, blank=True)
    credit_checked_at = models.DateTimeField(null=True, blank=True)
    # The enterprise allows its supply listings to show live available stock from its ERP.
    share_stock = models.BooleanField(_("show live stock on linked listings"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enterprise card")
        verbose_name_plural = _("enterprise cards")
        indexes = [models.Index(fields=["credit_verified"], name="card_credit_idx")]

    def __str__(self):
        return str(self.enterprise)


class Listing(models.Model):
    class Kind(models.TextChoices):
        SUPPLY = "supply", pgettext_lazy("listing kind", "Supply")
        DEMAND = "demand", pgettext_lazy("listing kind", "Demand")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Expired")
        CLOSED = "closed", _("Closed")

    class ClosedReason(models.TextChoices):
        OWNER = "owner", _("closed by the poster")
        DEADLINE = "deadline", _("the quotation deadline passed")
        QUOTA = "quota", _("enough quotations were received")
        ACCEPTED = "accepted", _("a quotation was accepted")

    class TradeType(models.TextChoices):
        GOODS = "goods", _("goods")
        CAPACITY = "capacity", _("spare capacity")  # a supply: free hours of a process, from work-order load
        PROCESSING = "processing", _("outsourced processing (外协)")  # a demand: an operation to subcontract

    class ErpSource(models.TextChoices):
        PLANNED_ORDER = "planned_order", _("MRP purchase proposal")
        SHORTAGE = "shortage", _("shortage list")
        ITEM = "item", _("item")
        OPERATION = "operation", _("outsourced operation")
        WORK_CENTER = "work_center", _("work center")

    class Delivery(models.TextChoices):
        EX_WORKS = "ex_works", _("Ex works (buyer collects)")
        DELIVERED = "delivered", _("Delivered to the buyer")
        FOB = "fob", _("FOB port")
        CIF = "cif", _("CIF port")
        NEGOTIABLE = "negotiable", _("To be agreed")

    enterprise = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="board_listings")
    # null when an integration posted it with the enterprise's API token
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="listings")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings",
                                 verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    # [["材质", "GCr15"], ["型号", "6204-2RS"]] in the poster's order
    attributes = models.JSONField(_("specifications"), default=list, blank=True)
    quantity = models.DecimalField(_("quantity"), null=True, blank=True, **QTY)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    moq = models.DecimalField(_("minimum order quantity"), null=True, blank=True, **QTY)
    price_min = models.DecimalField(_("price from (CNY)"), null=True, blank=True, **MONEY)
    price_max = models.DecimalField(_("price to (CNY)"), null=True, blank=True, **MONEY)
    currency = models.CharField(max_length=3, default="CNY", editable=False)
    negotiable = models.BooleanField(_("price negotiable"), default=False)
    delivery_terms = models.CharField(_("delivery terms"), max_length=12, choices=Delivery.choices,
                                      default=Delivery.NEGOTIABLE)
    delivery_place = models.CharField(_("delivery place"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    closed_reason = models.CharField(max_length=10, choices=ClosedReason.choices, blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    published_at = models.DateTimeField(null=True, blank=True)
    # moderation by the informatization office
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=255, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    featured = models.BooleanField(_("featured"), default=False)
    # RFQ (demand only)
    is_rfq = models.BooleanField(_("request for quotation"), default=False)
    rfq_deadline = models.DateTimeField(_("quotation deadline"), null=True, blank=True)
    rfq_max_quotations = models.PositiveSmallIntegerField(_("close after N quotations"), null=True, blank=True)
    # link to an ERP item of the posting enterprise (supply only); the id of a row in its schema
    erp_item_id = models.BigIntegerField(null=True, blank=True)
    erp_item_code = models.CharField(_("ERP item"), max_length=40, blank=True)
    trade_type = models.CharField(_("type of trade"), max_length=10, choices=TradeType.choices, default=TradeType.GOODS)
    # where in the poster's ERP the listing came from (plain ids of rows in the poster's schema): an RFQ from
    # an MRP proposal, a shortage or an item (the item it buys: need_item_id, by need_date), a processing
    # demand from a work order's outsourced operation, a capacity listing from a work center
    erp_source = models.CharField(max_length=16, choices=ErpSource.choices, blank=True)
    erp_source_id = models.BigIntegerField(null=True, blank=True)
    need_item_id = models.BigIntegerField(null=True, blank=True)
    need_date = models.DateField(_("needed by"), null=True, blank=True)
    process = models.CharField(_("process"), max_length=20, blank=True)  # erp_modules.catalog.models.Process
    # capacity listings: [{"week": "2026-12-07" (Monday), "free_hours": "52.5"}, …], recomputed from the load
    capacity_weeks = models.JSONField(_("free hours per week"), default=list, blank=True)
    capacity_computed_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)  # of the location, for matching by distance
    longitude = models.FloatField(null=True, blank=True)
    show_stock = models.BooleanField(_("show live stock"), default=True)
    # jieba-segmented title (A), specifications (B) and description (C); written by services.listing_search_index
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="listing_search_gin", condition=Q(status="published")),
            models.Index(fields=["-published_at"], name="listing_published_idx", condition=Q(status="published")),
            models.Index(fields=["board", "-published_at"], name="listing_board_published_idx",
                         condition=Q(status="published")),
            models.Index(fields=["enterprise", "-created_at"], name="listing_enterprise_created_idx"),
            models.Index(fields=["status", "expires_at"], name="listing_status_expires_idx"),
            models.Index(fields=["status", "rfq_deadline"], name="listing_rfq_deadline_idx",
                         condition=Q(is_rfq=True)),
            models.Index(fields=["enterprise", "erp_source", "erp_source_id"], name="listing_erp_source_idx",
                         condition=~Q(erp_source="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_min__isnull=True) | Q(price_max__isnull=True)
                                   | Q(price_min__lte=models.F("price_max")), name="listing_price_range"),
            models.CheckConstraint(condition=Q(is_rfq=False) | Q(kind="demand"), name="listing_rfq_is_demand"),
            models.CheckConstraint(condition=Q(erp_item_id__isnull=True) | Q(kind="supply"),
                                   name="listing_erp_item_is_supply"),
            models.CheckConstraint(condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                                   name="listing_quantity_positive"),
            models.CheckConstraint(condition=~Q(trade_type="capacity") | Q(kind="supply"),
                                   name="listing_capacity_is_supply"),
            models.CheckConstraint(condition=~Q(trade_type="processing") | Q(kind="demand"),
                                   name="listing_processing_is_demand"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_visible(self) -> bool:
        """Shown to the public: published, not hidden by the office, not past its validity."""
        return self.status == self.Status.PUBLISHED and self.hidden_at is None and self.expires_at > timezone.now()

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def has_price(self) -> bool:
        return self.price_min is not None or self.price_max is not None

    @property
    def rfq_open(self) -> bool:
        return (self.is_rfq and self.status == self.Status.PUBLISHED and self.hidden_at is None
                and (self.rfq_deadline is None or self.rfq_deadline > timezone.now()))


def listing_image_path(instance, filename: str) -> str:
    ext = filename[filename.rfind("."):] if "." in filename else ""
    return f"boards/images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


def listing_file_path(instance, filename: str) -> str:
    return f"boards/files/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ListingImage(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(max_length=300, upload_to=listing_image_path)
    thumbnail = models.FileField(max_length=300, upload_to=listing_image_path, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]


class ListingAttachment(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=300, upload_to=listing_file_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Quotation(models.Model):
    """A supplier's answer to an RFQ (a demand listing with is_rfq)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Not chosen")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Terms(models.TextChoices):
        EX_WORKS = "ex_works", _("ex works (出厂)")
        DELIVERED = "delivered", _("delivered to the buyer's plant (送货到厂)")

    class Payment(models.TextChoices):
        PREPAID = "prepaid", _("payment in advance")
        ON_DELIVERY = "delivery", _("payment on delivery")
        NET30 = "net30", _("30 days after invoice")
        NET60 = "net60", _("60 days after invoice")
        NET90 = "net90", _("90 days after invoice")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="quotations")
    enterprise = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="board_quotations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # null: quoted through the API
    unit_price = models.DecimalField(_("unit price (CNY)"), **MONEY)
    quantity = models.DecimalField(_("quantity"), **QTY)
    lead_time_days = models.PositiveIntegerField(pgettext_lazy("quotation", "lead time (days)"))
    valid_until = models.DateField(_("quotation valid until"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    attachment = models.FileField(max_length=300, upload_to=listing_file_path, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # the terms the comparison puts on one basis (tax included, delivered to the buyer)
    price_includes_vat = models.BooleanField(_("price includes VAT"), default=True)
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("13"))
    delivery_terms = models.CharField(_("delivery terms"), max_length=10, choices=Terms.choices,
                                      default=Terms.DELIVERED)
    freight = models.DecimalField(_("freight (CNY, whole order)"), default=Decimal("0"), **MONEY)
    payment_terms = models.CharField(_("payment terms"), max_length=10, choices=Payment.choices,
                                     default=Payment.NET30)
    # the supplier's own ERP item it quotes (a plain id in the supplier's schema), for its sales order
    supplier_item_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["unit_price", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "enterprise"], name="quotation_one_per_supplier"),
            models.UniqueConstraint(fields=["listing"], condition=Q(status="accepted"),
                                    name="quotation_one_accepted_per_rfq"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="quotation_price_nonnegative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quotation_quantity_positive"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="quotation_vat_range"),
            models.CheckConstraint(condition=Q(freight__gte=0), name="quotation_freight_nonnegative"),
        ]

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))


class TradeOrder(models.Model):
    """The orders an accepted quotation became: the buyer's draft purchase order (made in the buyer's
    schema when the quotation is accepted) and the supplier's draft sales order (made by a task in the
    supplier's schema, when the supplier runs its ERP on the platform). Plain ids and numbers of rows in
    those schemas; one per quotation (the tasks are idempotent on it)."""

    class SalesState(models.TextChoices):
        PENDING = "pending", _("being created")
        CREATED = "created", _("created")
        NO_ERP = "no_erp", _("the supplier does not run its ERP on the platform")
        FAILED = "failed", _("failed")

    quotation = models.OneToOneField(Quotation, on_delete=models.CASCADE, related_name="trade_order")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="trade_orders")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("amount incl. VAT, delivered (CNY)"), **MONEY)
    purchase_order_id = models.BigIntegerField(null=True, blank=True)
    purchase_order_number = models.CharField(max_length=30, blank=True)
    purchase_error = models.CharField(max_length=300, blank=True)
    sales_state = models.CharField(max_length=8, choices=SalesState.choices, default=SalesState.PENDING)
    sales_order_id = models.BigIntegerField(null=True, blank=True)
    sales_order_number = models.CharField(max_length=30, blank=True)
    sales_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="tradeorder_created_idx")]


class Match(models.Model):
    """A demand and a supply that fit each other, with the score they got (0..1)."""

    demand = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="supply_matches")
    supply = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="demand_matches")
    score = models.DecimalField(max_digits=5, decimal_places=4)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "-id"]
        constraints = [models.UniqueConstraint(fields=["demand", "supply"], name="match_pair_unique")]
        indexes = [models.Index(fields=["supply", "-score"], name="match_supply_score_idx")]


class InquiryThread(models.Model):
    """Messages between an asking enterprise and the listing's enterprise about one listing."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="inquiries")
    asker = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    asker_read_at = models.DateTimeField(null=True, blank=True)
    owner_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "asker"], name="inquiry_one_thread_per_asker"),
            models.CheckConstraint(condition=~Q(asker=models.F("owner")), name="inquiry_two_enterprises"),
        ]
        indexes = [models.Index(fields=["asker", "-last_message_at"], name="inquiry_asker_idx"),
                   models.Index(fields=["owner", "-last_message_at"], name="inquiry_owner_idx")]

    def other_party(self, enterprise_id: int):
        return self.owner if enterprise_id == self.asker_id else self.asker


class InquiryMessage(models.Model):
    thread = models.ForeignKey(InquiryThread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="inquiry_message_thread_idx"),
                   models.Index(fields=["sender", "-created_at"], name="inquiry_message_sender_idx")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        MATCH = "match", _("New match")
        INQUIRY = "inquiry", _("Inquiry")
        QUOTATION = "quotation", _("Quotation")
        ACCEPTED = "accepted", _("Quotation accepted")
        DECLINED = "declined", _("Quotation not chosen")
        RFQ_CLOSED = "rfq_closed", _("RFQ closed")
        EXPIRED = "expired", _("Listing expired")
        MODERATED = "moderated", _("Moderation")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_notifications")
    enterprise = models.ForeignKey("tenants.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]
