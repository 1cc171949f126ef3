"""Fixed text for make_corpus.py: word lists and hand-written sentences per category.

The sentences were written for this corpus (support-ticket style, in many scripts);
names, products and addresses are invented. Where a character's identity is the point
and a normalizing editor would change it (compatibility characters such as U+212B or
U+F900, composition exclusions such as U+0958, invisible characters), it is written as an
escape.
"""
import unicodedata

FIRST_NAMES = ["Anna", "Ben", "Carlos", "Dana", "Elif", "Farah", "George", "Hiro", "Ines",
               "Jamal", "Kasia", "Liam", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa",
               "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "José",
               "Zoë", "Björn", "Chloé", "Søren", "Łukasz", "Ömer", "Nguyễn", "François"]

LAST_NAMES = ["Smith", "Garcia", "Müller", "Kowalski", "O'Brien", "Nakamura", "Rossi",
              "Dubois", "Andersson", "Silva", "Khan", "Ivanova", "Chen", "Okafor", "MacLeod",
              "van der Berg", "D'Angelo", "Schröder", "Núñez", "Şahin"]

PRODUCTS = ["Pro plan", "Basic plan", "Team workspace", "mobile app", "desktop client",
            "API", "web dashboard", "Android app", "iOS app", "browser extension",
            "wireless headphones", "smart thermostat", "USB-C hub", "4K monitor",
            "mechanical keyboard", "standing desk", "coffee grinder", "gift card",
            "annual subscription", "family plan", "Enterprise SSO", "CSV export",
            "calendar sync", "two-factor authentication", "router", "e-reader"]

CARRIERS = ["UPS", "FedEx", "DHL", "USPS", "Royal Mail", "La Poste", "DPD", "Canada Post"]

BUG_SYMPTOMS = [
    "crashes on startup", "freezes when I open settings", "shows a blank white screen",
    "logs me out every few minutes", "won't sync with my calendar",
    "keeps saying \"something went wrong\"", "throws error 500", "returns HTTP 403 Forbidden",
    "hangs at 99%", "uploads fail with a timeout", "duplicates every row in the export",
    "displays prices in the wrong currency", "doesn't load images", "drains my battery",
    "can't find my saved items", "sends me the same notification twice",
    "has the dark mode toggle stuck on", "ignores my time zone", "scrolls back to the top",
    "says my password is wrong even though it isn't", "won't accept my postcode",
    "renders emoji as empty boxes", "cuts off the last line of text",
]

BILLING = [
    "I was charged twice for my {p}", "my card was declined but the money left my account",
    "I need a refund for the {p}", "the invoice shows the wrong VAT number",
    "please cancel my {p} before the next renewal", "why did my price go up?",
    "I was billed after I cancelled", "the promo code SAVE20 didn't apply",
    "can I switch from monthly to yearly billing?", "I'd like a copy of invoice {inv}",
    "my free trial converted without warning", "the charge of {money} is not mine",
    "please update my billing address", "I want to pay by bank transfer instead",
]

ACCOUNTS = [
    "I can't log in to my account", "I forgot my password and the reset email never arrives",
    "please delete my account and all my data", "how do I change the email on my account?",
    "my account was locked after too many attempts", "someone else is using my account",
    "I want to merge two accounts", "the 2FA code is always invalid",
    "I lost my phone and can't get my 2FA codes", "please add {name} to our team workspace",
    "I can't remove a former employee from the admin list", "my username is taken by me?!",
]

SHIPPING = [
    "my order {order} hasn't arrived yet", "the tracking number {track} shows no updates",
    "the package was delivered to the wrong address", "the box arrived damaged",
    "I received the wrong item", "{carrier} says delivered but nothing is here",
    "can I change the delivery address for order {order}?", "do you ship to {country}?",
    "the customs fee was {money}, is that right?", "half of my order is missing",
    "how long does express shipping take?", "I need to return the {p}",
]

COUNTRIES = ["Canada", "Germany", "Brazil", "Japan", "South Africa", "New Zealand",
             "the Netherlands", "Côte d'Ivoire", "Türkiye", "Iceland", "México", "Việt Nam"]

GREETINGS = ["Hi,", "Hello,", "Hey there,", "Dear support team,", "Good morning,", "Hi team -",
             "To whom it may concern:", "hello", "HI", "Yo,", "Hiya!", "Greetings,", ""]

CLOSINGS = ["Thanks!", "Thank you.", "Cheers,", "Regards,", "Best,", "thx", "Please help!!",
            "Any update would be appreciated.", "Kind regards", "Sent from my iPhone",
            "Thanks in advance :)", "This is urgent.", ""]

FEELINGS = ["This is really frustrating.", "I've been a customer for {n} years.",
            "I already tried restarting.", "I cleared the cache and cookies, no luck.",
            "It worked fine yesterday.", "My colleague has the same problem.",
            "I'm on version {ver}.", "It happens on both Wi-Fi and 4G.",
            "I've attached a screenshot.", "Your chatbot couldn't help.", "",
            "We're losing sales because of this.", "I'll leave a 1-star review if this isn't fixed."]

DEVICES = ["iPhone 15 Pro", "Pixel 8", "Galaxy S23", "iPad Air", "MacBook Pro (M2)",
           "Windows 11 laptop", "Chromebook", "Ubuntu 22.04", "Firefox 121", "Safari 17.2",
           "Edge", "an old Android 9 tablet"]

ACCENT_SENTENCES = [
    "Je n'arrive pas à me connecter depuis la mise à jour, c'est très gênant.",
    "¿Por qué se cobró dos veces mi suscripción? Necesito un reembolso, por favor.",
    "Die Lieferung ist beschädigt angekommen; bitte schicken Sie Ersatz für den Kühlschrank.",
    "Não consigo alterar o endereço de entrega do meu pedido, você pode ajudar?",
    "Zamówienie nie dotarło, a śledzenie przesyłki pokazuje błąd. Proszę o pomoc.",
    "Objednávka dorazila poškozená, žádám o vrácení peněz. Děkuji.",
    "Siparişim hâlâ gelmedi, kargo takip numarası çalışmıyor. Teşekkürler.",
    "Comanda mea a fost livrată la o adresă greșită. Mulțumesc pentru înțelegere.",
    "Tôi không thể đăng nhập vào tài khoản của mình. Xin hãy giúp đỡ!",
    "Đơn hàng của tôi bị giao nhầm địa chỉ, tôi muốn được hoàn tiền ngay.",
    "Người dùng mới không nhận được email xác nhận. Cảm ơn rất nhiều!",
    "Pöntunin mín kom ekki, getur þú athugað það? Takk fyrir.",
    "Ο λογαριασμός μου κλειδώθηκε μετά από πολλές προσπάθειες.",
    "Мой заказ до сих пор не доставлен, номер отслеживания не работает.",
    "Замовлення прийшло пошкодженим, прошу повернути кошти.",
    "Crème brûlée, naïve café, résumé, façade, jalapeño, São Paulo, Zürich, Kraków.",
    "Ångström, Øresund, Æsir, straße, STRASSE, Œuvre, ﬁnancial, ﬂight, ﬀ, ﬃ.",
    "El niño comió piñas en la mañana; ¡qué día más extraño!",
    "L'été dernier, nous sommes allés à l'hôpital où travaille Hélène.",
    "Pražský hrad, Škoda, čeština, řeřicha, ďábel, ťuhýk, ůl, ň.",
    "Ḥaḍramawt, Ṭarābulus, Ṣanʿāʾ, ʿAbd al-Raḥmān, Muḥammad.",
    "Hawaiʻi, ʻōlelo Hawaiʻi, Māori: Aotearoa, whānau, kōrero.",
    "Dziękuję bardzo! Źle się czuję, bo żółć mi się przelała.",
    "Tiếng Việt có nhiều dấu: ă â ê ô ơ ư đ, và thanh: à á ả ã ạ ằ ắ ẳ ẵ ặ ầ ấ ẩ ẫ ậ.",
    "Nghiêng, nguyễn, thuở, khuỷu, ngoằn ngoèo, quyển, chuyện, trường, Việt Nam.",
]

COMBINING = [chr(c) for c in range(0x0300, 0x0370)] + ["\u0483", "\u0591", "\u05b4", "\u064b",
                                                       "\u0670", "\u093c", "\u20d7", "\u20e3",
                                                       "\u1ab0", "\u1dc0", "\ufe20"]

CJK_SENTENCES = [
    "你好，我的订单还没有到，请帮我查一下物流信息。",
    "我被重复扣款了两次，请尽快退款。谢谢！",
    "密码重置邮件一直收不到，怎么办？",
    "這個應用程式在我的手機上一直閃退。",
    "請問你們有提供發票嗎？我需要報帳。",
    "こんにちは、注文した商品がまだ届いていません。",
    "パスワードをリセットしたいのですが、メールが届きません。",
    "アプリが起動時にクラッシュします。バージョンは2.3.1です。",
    "東京都渋谷区に住んでいます。配送先を変更できますか？",
    "ありがとうございました！とても助かりました。",
    "カタカナとひらがなと漢字が混ざった文章です。",
    "안녕하세요, 주문한 상품이 아직 도착하지 않았습니다.",
    "비밀번호를 잊어버렸어요. 어떻게 재설정하나요?",
    "결제가 두 번 되었습니다. 환불 부탁드립니다.",
    "앱이 계속 멈춰요. 도와주세요!",
    "全角文字：ＡＢＣ　ａｂｃ　１２３　！？",
    "半角カナ：ｱｲｳｴｵ ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟﾌﾟ",
    "互換漢字：\uf900 \uf901 \uf902 \uf903 \uf904 \ufa0e \U0002f800 \U0002f801 (compatibility ideographs)",
    "康熙部首：⼀ ⼆ ⼈ ⽔ ⽕",
    "拡張B：𠀀 𠀁 𪚥 𩸽 𠮷野家",
    "単位：㍿ ㌔ ㍍ ㎏ ㎞ ① ② ③ ㊤ ㊥",
    "中文English混合text，还有数字123和符号!@#",
    "「引用」『二重引用』【括弧】〈山括弧〉《書名》……——",
    "漢字の後に空白\u3000全角スペース\u3000があります",
    "日本語の文章。句読点、そして「かぎかっこ」。",
    "我爱北京天安门，天安门上太阳升。",
    "ㄅㄆㄇㄈ 注音符號",
    "ᄀᄁᄂ ᅡᅢᅣ ᆨᆩᆪ (conjoining jamo)",
    "한글 NFC와 NFD: " + unicodedata.normalize("NFD", "가나다라마바사"),
]

RTL_SENTENCES = [
    "مرحبا، لم يصل طلبي بعد. رقم التتبع لا يعمل.",
    "مَرْحَبًا بِكُمْ فِي خِدْمَةِ الْعُمَلَاءِ",
    "تم خصم المبلغ مرتين من بطاقتي، أرجو استرداد المال.",
    "الأرقام العربية: ٠١٢٣٤٥٦٧٨٩ و ۰۱۲۳۴۵۶۷۸۹",
    "كلمة مع تطويل: مـــــرحبا",
    "ﻣﺮﺣﺒﺎ (presentation forms) ﻻ ﷲ ﷺ",
    "می‌خواهم سفارشم را لغو کنم. ممنون.",
    "میں اپنا پاس ورڈ بھول گیا ہوں۔",
    "שלום, ההזמנה שלי עדיין לא הגיעה.",
    "שָׁלוֹם עֲלֵיכֶם, תּוֹדָה רַבָּה",
    "חויבתי פעמיים על המנוי, אבקש החזר.",
    "Order #4512 \u200fالطلب\u200f shipped \u200eyesterday\u200e.",
    "mixed LTR עברית and العربية in one line 123",
    "bidi override: \u202eevil.exe\u202c and \u2067isolate\u2069 \u202aembed\u202c",
    "ܫܠܡܐ ܥܠܝܟܘܢ (Syriac) ދިވެހި (Thaana) ߒߞߏ (N'Ko)",
    "Hebrew with maqaf: בֵּית־הַסֵּפֶר and geresh: צ׳יפס",
]

INDIC_THAI = [
    "नमस्ते, मेरा ऑर्डर अभी तक नहीं आया है। कृपया मदद करें।",
    "मुझे दो बार शुल्क लिया गया, रिफंड चाहिए।",
    "क़िला, ख़ान, ग़ज़ल, ज़रूर, फ़ोन, ड़, ढ़ (nukta)",
    "क्षत्रिय, त्र, ज्ञ, श्र, द्ध, द्व, ह्म (conjuncts with virama)",
    "देवनागरी अंक: ०१२३४५६७८९",
    "आपका पासवर्ड बदल दिया गया है।",
    "আমার অর্ডার এখনও আসেনি, দয়া করে সাহায্য করুন।",
    "வணக்கம், என் கணக்கில் உள்நுழைய முடியவில்லை.",
    "నా ఆర్డర్ ఇంకా రాలేదు.",
    "મારો ઓર્ડર હજુ આવ્યો નથી.",
    "ਮੇਰਾ ਆਰਡਰ ਅਜੇ ਨਹੀਂ ਆਇਆ।",
    "ನನ್ನ ಆರ್ಡರ್ ಇನ್ನೂ ಬಂದಿಲ್ಲ.",
    "എന്റെ ഓർഡർ ഇതുവരെ വന്നിട്ടില്ല.",
    "මගේ ඇණවුම තවම ලැබී නැත.",
    "สวัสดีครับ ฉันมีปัญหากับการสั่งซื้อสินค้า",
    "ขอบคุณมากค่ะ พัสดุยังไม่มาถึงเลย",
    "ตัวเลขไทย: ๐๑๒๓๔๕๖๗๘๙ และภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "ກະລຸນາຊ່ວຍຂ້ອຍແດ່ (Lao)",
    "សូមជួយខ្ញុំផង (Khmer)",
    "ကျေးဇူးတင်ပါတယ် (Myanmar)",
    "བཀྲ་ཤིས་བདེ་ལེགས། (Tibetan)",
    "ሰላም ነው? (Ethiopic) Բարև (Armenian) გამარჯობა (Georgian)",
]

EMOJI = ["😀", "😂", "🥲", "😍", "🙏", "👍", "👎", "🔥", "💯", "🎉", "❤️", "❤", "♥️", "✅", "❌",
         "⚠️", "🚀", "📦", "💳", "🛒", "🤖", "🫠", "🪿", "🧾", "☕", "☺︎", "☺️", "✈︎", "✈️",
         "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "👋🏽", "🧑🏿‍💻", "👩🏻‍🔬", "👨‍👩‍👧‍👦", "👩‍❤️‍💋‍👨",
         "🏳️‍🌈", "🏳️‍⚧️", "🏴‍☠️", "🐻‍❄️", "😶‍🌫️", "❤️‍🔥", "🇺🇸", "🇯🇵", "🇩🇪", "🇧🇷", "🇪🇺",
         "🇺🇳", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣", "*️⃣", "🔟", "©️", "®", "™️", "🅰️",
         "🫱🏼‍🫲🏾", "👁️‍🗨️", "🤷‍♀️", "🤷🏽‍♂️", "🙇", "💁‍♀️", "🇦", "🇿"]

CODE = [
    "def add(a, b):\treturn a + b  # simple",
    "for i in range(10): print(f\"{i:02d}\", end=' ')",
    "if __name__ == \"__main__\":\n".rstrip("\n") + " main()",
    "lambda x: x ** 2 if x > 0 else -x",
    "import numpy as np; np.zeros((3, 4), dtype=np.float32)",
    "class Foo(Bar):\tdef __init__(self):\tsuper().__init__()",
    "try: 1/0\texcept ZeroDivisionError as e: log.error(e)",
    "{\"id\": 42, \"name\": \"Ann\", \"tags\": [\"a\", \"b\"], \"ok\": true, \"v\": null}",
    "{\"error\":{\"code\":500,\"message\":\"Internal Server Error\",\"trace_id\":\"a1b2c3\"}}",
    "[{\"k\":\"\\u00e9\"},{\"k\":\"\\n\"}]",
    "SELECT id, email FROM users WHERE created_at > '2024-01-01' AND status = 'active' ORDER BY id DESC LIMIT 10;",
    "INSERT INTO orders (user_id, total) VALUES (17, 99.95) RETURNING id;",
    "UPDATE accounts SET balance = balance - 100 WHERE id = 7; -- transfer",
    "DROP TABLE IF EXISTS tmp_sessions CASCADE;",
    "curl -sS -X POST https://api.example.com/v1/items -H 'Authorization: Bearer $TOKEN' | jq '.items[] | .id'",
    "grep -rn \"TODO\" src/ | wc -l && echo done || exit 1",
    "export PATH=$HOME/.local/bin:$PATH; ls -la ~/Downloads/*.pdf",
    "sudo apt-get install -y build-essential libssl-dev 2>&1 | tee install.log",
    "for f in *.txt; do mv \"$f\" \"${f%.txt}.md\"; done",
    "const x = arr.map((v, i) => v * i).filter(Boolean);",
    "let total = items.reduce(0) { $0 + $1.price }",
    "fn main() { println!(\"Hello, {}!\", name); }",
    "#include <stdio.h>\tint main(void) { return 0; }",
    "<div class=\"alert\">Payment <b>failed</b> &amp; retry&nbsp;later</div>",
    "<table><tr><td>A</td><td>B</td></tr></table>",
    "a = {'x': [1, 2, 3], 'y': (4, 5)}; print(a['x'][-1])",
    "re.compile(r\"^(?P<user>[\\w.+-]+)@(?P<host>[\\w-]+\\.[\\w.]+)$\")",
    "git commit -m \"fix: handle NULL in parser (#1234)\" && git push origin main",
    "docker run --rm -it -p 8080:80 -v \"$(pwd)\":/app nginx:1.25-alpine",
    "Traceback (most recent call last):\tFile \"app.py\", line 12, in <module>\tKeyError: 'user_id'",
    "java.lang.NullPointerException: Cannot invoke \"String.length()\" at Main.java:42",
    "Error: ENOENT: no such file or directory, open '/var/log/app.log'",
    "x += 1; y -= 2; z *= 3; w /= 4; v %= 5; u **= 6; t //= 7; s >>= 1; r <<= 2",
    "a != b && c == d || !e ? f : g; h <= i >= j; k => l; m -> n; o :: p",
    "    indented with four spaces",
    "\t\tindented with two tabs",
    "key: value\t# yaml comment",
    "[section]\tkey = \"value\" ; ini",
]

TLDS = ["com", "org", "io", "co.uk", "de", "jp", "dev", "app", "xn--p1ai"]

SPACES = [" ", "  ", "   ", "\t", "\t\t", " \t ", "\u00a0", "\u00a0\u00a0", "\u2000", "\u2001",
          "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009",
          "\u200a", "\u200b", "\u202f", "\u205f", "\u3000", "\u1680", "\r", "\f", "\v",
          "\u0085", "\u2028", "\u2029", "\r\u000b", " \r ", "\u180e"]

CONTROLS = ([chr(c) for c in range(0x00, 0x20) if c != 0x0A] + ["\x7f"]
            + [chr(c) for c in range(0x80, 0xA0)]
            + ["\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\ufffd", "\u200e", "\u200f",
               "\u061c", "\u034f", "\ue000", "\U000f0000", "\ufffe", "\uffff", "\U0010ffff",
               "\U000e0001", "\U000e0041", "\u2061", "\u2062", "\u2063", "\u2064", "\ufff9",
               "\U0001d173"])

SPECIALS = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<unk>", "<pad>",
            "<mask>", "<bos>", "<eos>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
            "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
            "<|eot_id|>", "<|eom_id|>", "<|python_tag|>", "<|reserved_special_token_5|>",
            "<|finetune_right_pad_id|>", "<|fim_prefix|>", "<|fim_middle|>", "<tool_call>",
            "</tool_call>", "<start_of_turn>", "<end_of_turn>", "[INST]", "[/INST]",
            "[TOOL_CALLS]", "<repo_name>", "<file_sep>", "<jupyter_code>", "<unused0>",
            "[@BOS@]", "<table>", "<|vision_start|>"]

CASE_WORDS = ["iPhone", "McDonald's", "HTTPServerError", "camelCaseName", "snake_case_name",
              "SCREAMING_SNAKE", "kebab-case-name", "XMLHttpRequest", "eBay", "PayPal",
              "macOS", "GitHub", "OAuth2", "JSONDecoder", "iOS17", "IPv6", "USB-C", "WiFi"]

ASCII_ART = ["¯\\_(ツ)_/¯", "(╯°□°）╯︵ ┻━┻", "┬─┬ノ( º _ ºノ)", "( ͡° ͜ʖ ͡°)", "ಠ_ಠ", "(づ｡◕‿‿◕｡)づ",
             "<(^_^)>", "\\o/", "o/ \\o", ":-) :-( ;-) :P :D XD <3 </3", "=^.^=", "(>_<)",
             "+-----+-----+", "|  A  |  B  |", "┌──┬──┐ │ok│no│ └──┴──┘", "╔═══╗ ║ X ║ ╚═══╝",
             "===> <=== ---> <---", "~~~~~~~~ ^^^^^^^^", "[====>    ] 50%", "▁▂▃▄▅▆▇█ ░▒▓",
             "* * *", "-=-=-=-=-=-", "ᕕ( ᐛ )ᕗ", "ʕ•ᴥ•ʔ", "(ง'̀-'́)ง", "⊂(◉‿◉)つ",
             "#####  ####", ".:*~*:._.:*~*:.", "/\\/\\/\\/\\", "__________", "<!-- -->"]
