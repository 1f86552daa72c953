package extract

import (
	"sort"
	"unicode/utf8"
	"unsafe"
)

// normalized is the text the rules read: full-width forms folded to ASCII,
// traditional characters folded to simplified ones (for the vocabulary the
// rules use), every dash folded to '-' and every tilde to '~', CR and
// zero-width characters dropped, invalid bytes replaced by '?', and the
// pinyin debris of mangled conversions ("發(fā)布") removed.
//
// The same pass records what later steps need, so that the text is read
// once: where a date may start (anchors), where sentences surely end, and
// where lines break. Offsets back into the original are kept as change
// points, since most runes keep their length.
type normalized struct {
	s        string
	pts      []offPoint // ascending by norm
	anchors  []int32    // starts of digit runs and Chinese numerals
	ends     []int32    // 。 ; ! ?
	newlines []int32
}

// offPoint says that normalized byte norm came from original byte orig,
// and that bytes after it map one to one until the next point.
type offPoint struct{ norm, orig int32 }

// orig returns the original byte offset of normalized byte i.
func (n *normalized) orig(i int) int {
	k := sort.Search(len(n.pts), func(k int) bool { return int(n.pts[k].norm) > i }) - 1
	if k < 0 {
		return i
	}
	p := n.pts[k]
	return int(p.orig) + i - int(p.norm)
}

// numeralTable marks the characters of Chinese numbers (isCnNumeral).
var numeralTable = func() *[0x10000]bool {
	var t [0x10000]bool
	for _, r := range "零一二两三四五六七八九十廿卅" {
		t[r] = true
	}
	return &t
}()

// specialBits marks, one bit per BMP rune, those with an entry in
// foldTable or numeralTable. It is 8 KiB and stays in cache; the 128 KiB
// fold table is read only for the few runes marked here.
var specialBits = func() *[0x10000 / 64]uint64 {
	var bits [0x10000 / 64]uint64
	for r := 0; r < 0x10000; r++ {
		// Also marked, for the fast scan in normalize: what a three-byte
		// sequence cannot validly hold (overlong forms, surrogates), and
		// the runes the slow path must see (（ may open pinyin debris, 。
		// ends a sentence).
		// Folds of a rune to itself (a pair listed for completeness) need
		// no slow path: they change nothing.
		if foldTable[r] != 0 && rune(foldTable[r]) != rune(r) || numeralTable[r] || r < 0x800 || r >= 0xD800 && r <= 0xDFFF || r == '（' || r == '。' {
			bits[r>>6] |= 1 << (r & 63)
		}
	}
	return &bits
}()

// foldTable maps a BMP rune to its folded form; 0 means unchanged, and
// dropRune means the rune is removed.
var foldTable = buildFoldTable()

const dropRune = 0xFFFF

func buildFoldTable() *[0x10000]uint16 {
	var t [0x10000]uint16
	// Full-width ASCII (！ to ～) to ASCII.
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		t[r] = uint16(r - 0xFF01 + 0x21)
	}
	set := func(to rune, from ...rune) {
		for _, f := range from {
			t[f] = uint16(to)
		}
	}
	set(' ', '\t', '\u00a0', '\u3000', '\u2002', '\u2003', '\u2009', '\u202f', '\u205f')
	set(dropRune, '\r', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad')
	set('-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe58', '\ufe63', '\uff0d', '\u2500', '\u2501', '\u30fc')
	set('~', '\uff5e', '\u301c', '\u223c', '\u02dc')
	set(':', '\ufe13', '\ufe55', '\u2236')
	set('[', '\u3014', '\u3010', '\u3016', '\uff3b', '\u3008', '\ufe5d')
	set(']', '\u3015', '\u3011', '\u3017', '\uff3d', '\u3009', '\ufe5e')
	set('(', '\ufe59')
	set(')', '\ufe5a')
	set('O', '\u25cb', '\u3007', '\u25ef', '\u039f', '\u041e') // ○ 〇 ◯ and look-alike capitals, read as zero in years
	set(',', '\ufe50', '\uff64')
	set(';', '\ufe54')
	set('.', '\uff61')
	// Traditional to simplified, for the characters the rules read (dates,
	// submission verbs, negative cues, labels) and their common neighbours.
	// The notices are data: a character missing here is only left as it is.
	for _, p := range tradPairs {
		rs := []rune(p)
		if len(rs) == 2 {
			t[rs[0]] = uint16(rs[1])
		}
	}
	return &t
}

var tradPairs = []string{
	"於于", "報报", "時时", "間间", "網网", "紙纸", "質质", "請请", "將将", "單单", "開开", "關关", "發发", "佈布",
	"號号", "個个", "臺台", "為为", "爲为", "點点", "後后", "內内", "舉举", "會会", "議议", "訓训", "結结", "審审",
	"書书", "類类", "現现", "東东", "屆届", "認认", "證证", "區区", "縣县", "廳厅", "務务", "業业", "與与", "處处",
	"機机", "構构", "實实", "驗验", "標标", "準准", "進进", "過过", "鄉乡", "鎮镇", "園园", "級级", "統统", "傳传",
	"遞递", "產产", "術术", "學学", "貿贸", "經经", "濟济", "導导", "項项", "資资", "設设", "計计", "劃划", "補补",
	"貼贴", "費费", "額额", "獎奖", "勵励", "覆复", "復复", "總总", "匯汇", "彙汇", "聯联", "絡络", "電电", "話话",
	"郵邮", "線线", "執执", "參参", "員员", "專专", "門门", "廣广", "陝陕", "蘇苏", "遼辽", "寧宁", "龍龙", "閩闽",
	"贛赣", "滬沪", "圖图", "館馆", "醫医", "藥药", "衛卫", "農农", "環环", "護护", "節节", "約约", "創创", "範范",
	"規规", "則则", "辦办", "據据", "兩两", "萬万", "億亿", "條条", "無无", "從从", "這这", "裡里", "裏里", "來来",
	"對对", "應应", "該该", "須须", "續续", "頒颁", "週周", "歷历", "曆历", "鐘钟", "說说", "稅税", "貨货", "價价",
	"買买", "賣卖", "車车", "軍军", "輸输", "運运", "達达", "遠远", "違违", "選选", "還还", "邊边", "適适", "連连",
	"備备", "擬拟", "積积", "極极", "營营", "銷销", "樣样", "權权", "歸归", "檢检", "測测", "確确", "擔担", "攜携",
	"換换", "擇择", "擴扩", "數数", "斷断", "暫暂", "們们", "優优", "黨党", "冊册", "寫写", "勞劳", "動动", "協协",
	"廠厂", "變变", "嚴严", "團团", "圍围", "國国", "場场", "壓压", "夠够", "婦妇", "屬属", "歲岁", "帶带", "幫帮",
	"幹干", "庫库", "廢废", "張张", "強强", "錄录", "徵征", "態态", "愛爱", "應应", "戰战", "戶户", "擁拥", "擊击",
	"敗败", "晉晋", "檔档", "歡欢", "殘残", "氣气", "漢汉", "災灾", "爭争", "狀状", "獨独", "獲获", "畫画", "異异",
	"當当", "盡尽", "監监", "盤盘", "眾众", "碼码", "礎础", "禮礼", "種种", "稱称", "穩稳", "競竞", "筆笔", "簡简",
	"緊紧", "紀纪", "納纳", "紅红", "細细", "組组", "終终", "給给", "絕绝", "綜综", "綠绿", "維维", "編编", "練练",
	"績绩", "縮缩", "繳缴", "罰罚", "義义", "習习", "聞闻", "聲声", "職职", "聽听", "臨临", "興兴", "藝艺", "華华",
	"葉叶", "衝冲", "製制", "複复", "見见", "視视", "覺觉", "覽览", "觀观", "訂订", "討讨", "記记", "許许", "論论",
	"訴诉", "評评", "詢询", "試试", "詳详", "誠诚", "語语", "誤误", "課课", "調调", "談谈", "諮咨", "謝谢", "識识",
	"讀读", "讓让", "豐丰", "負负", "財财", "責责", "購购", "貸贷", "賀贺", "賦赋", "賬账", "趕赶", "軟软", "較较",
	"載载", "輔辅", "輕轻", "辭辞", "邏逻", "鄰邻", "釋释", "針针", "銀银", "鋼钢", "錢钱", "錯错", "鍵键", "長长",
	"閉闭", "閱阅", "陳陈", "陸陆", "陽阳", "隊队", "階阶", "際际", "險险", "隨随", "雜杂", "難难", "雲云", "靜静",
	"頁页", "頂顶", "順顺", "預预", "領领", "頭头", "頻频", "題题", "顯显", "風风", "飛飞", "馬马", "體体", "齊齐",
	"遲迟", "係系", "繫系", "餘余", "掛挂", "鏈链", "鐵铁", "紡纺", "織织", "纖纤", "膠胶", "裝装", "廈厦", "樓楼",
	"鑒鉴", "鑑鉴", "轉转", "覈核", "啟启", "啓启", "徑径", "傷伤", "債债", "儲储", "側侧", "淨净", "凈净", "劉刘",
	"勢势", "勝胜", "厲厉", "雙双", "壇坛", "墾垦", "奪夺", "奮奋", "島岛", "幣币", "彈弹", "慶庆", "擋挡", "攬揽",
	"斂敛", "橫横", "牽牵", "糧粮", "緣缘", "肅肃", "腦脑", "艱艰", "診诊", "貧贫", "貫贯", "贊赞", "趙赵", "閒闲",
	"隱隐", "顏颜", "鬥斗", "魚鱼", "鳥鸟", "麥麦", "齒齿", "寶宝", "尋寻", "層层", "歷历", "構构", "盜盗", "竊窃",
	"團团", "櫃柜", "態态", "擬拟", "遴遴", "覈核", "齡龄", "屆届", "倫伦", "傑杰", "僅仅", "優优", "傳传", "倉仓",
	"剛刚", "劑剂", "勻匀", "區区", "賽赛", "遺遗", "鎖锁", "陣阵", "雖虽", "雞鸡", "響响", "頓顿", "願愿", "類类",
	"飯饭", "驗验", "驟骤", "鑽钻", "鋪铺", "鋁铝", "錦锦", "鏡镜", "鐘钟", "閣阁", "闊阔", "闡阐", "隸隶", "靈灵",
	"韓韩", "頸颈", "餐餐", "騰腾", "鬧闹", "麼么", "黃黄", "龜龟", "證证", "週周", "讚赞", "谘咨", "纔才", "麵面",
	"獻献", "環环", "瑪玛", "產产", "畢毕", "疊叠", "療疗", "發发", "皚皑", "盃杯", "眾众", "礙碍", "禍祸", "禦御",
	"稟禀", "窩窝", "窯窑", "簽签", "籃篮", "籌筹", "紛纷", "綱纲", "網网", "綿绵", "緒绪", "緝缉", "縣县", "縱纵",
	"繁繁", "繪绘", "繼继", "纜缆", "罷罢", "羅罗", "翹翘", "聖圣", "聯联", "膚肤", "臉脸", "舊旧", "艦舰", "莊庄",
	"蓋盖", "蔣蒋", "薦荐", "薩萨", "藍蓝", "蘭兰", "處处", "號号", "蠶蚕", "術术", "裝装", "補补", "襲袭", "覓觅",
	"訊讯", "託托", "訪访", "設设", "詞词", "詩诗", "該该", "誌志", "認认", "誘诱", "諾诺", "謀谋", "講讲", "譯译",
	"護护", "變变", "貢贡", "貨货", "販贩", "貴贵", "貸贷", "費费", "賃赁", "資资", "賓宾", "賠赔", "賴赖", "贈赠",
	"贏赢", "跡迹", "踐践", "軌轨", "軸轴", "輛辆", "輩辈", "輪轮", "轄辖", "辯辩", "農农", "遞递", "遷迁", "邁迈",
	"郵邮", "鄉乡", "醜丑", "釀酿", "鈔钞", "鈴铃", "鉛铅", "銅铜", "銘铭", "鋒锋", "錫锡", "鍋锅", "鍛锻", "鎊镑",
	"鏈链", "鐵铁", "鑄铸", "閃闪", "閘闸", "閩闽", "闖闯", "陰阴", "隔隔", "雕雕", "雜杂", "離离", "雞鸡", "電电",
	"霧雾", "靂雳", "韌韧", "頌颂", "頒颁", "頗颇", "頸颈", "頻频", "顆颗", "顧顾", "飄飘", "飽饱", "餓饿", "館馆",
	"駐驻", "騎骑", "驅驱", "驚惊", "髒脏", "鬆松", "魯鲁", "鮮鲜", "鴻鸿", "鵬鹏", "鹽盐", "麗丽", "黴霉", "點点",
	"龐庞", "獎奖", "準准", "撥拨", "擴扩", "擬拟", "攝摄", "敘叙", "於于", "昇升", "晝昼", "曉晓", "曠旷", "桿杆",
	"梘枧", "棄弃", "棟栋", "楊杨", "榮荣", "槍枪", "樁桩", "樂乐", "樞枢", "標标", "樣样", "橋桥", "機机", "檢检",
	"櫻樱", "歐欧", "殼壳", "毀毁", "氈毡", "決决", "沖冲", "況况", "泝溯", "洩泄", "浹浃", "涇泾", "淚泪", "淺浅",
	"渦涡", "測测", "湧涌", "溝沟", "溫温", "滅灭", "滿满", "滲渗", "漁渔", "漲涨", "潔洁", "潛潜", "潤润", "澀涩",
	"濃浓", "濕湿", "濱滨", "瀏浏", "灣湾", "灑洒", "煉炼", "煙烟", "熱热", "燈灯", "燒烧", "營营", "燦灿", "爐炉",
	"牆墙", "犧牺", "猶犹", "獄狱", "獅狮", "現现", "琺珐", "瑣琐", "瓊琼", "甕瓮", "畝亩", "異异", "疇畴", "瘡疮",
	"癒愈", "盞盏", "矯矫", "碩硕", "確确", "磚砖", "礦矿", "祿禄", "禪禅", "稅税", "稿稿", "穀谷", "窮穷", "竄窜",
	"競竞", "筍笋", "築筑", "節节", "範范", "篩筛", "篤笃", "糾纠", "紋纹", "紐纽", "級级", "紹绍", "絞绞", "絡络",
	"絲丝", "綁绑", "綏绥", "緊紧", "緩缓", "練练", "縫缝", "總总", "績绩", "繩绳", "織织", "繳缴", "續续", "纏缠",
	"罰罚", "羨羡", "習习", "翻翻", "聞闻", "聰聪", "職职", "脅胁", "脈脉", "脫脱", "腎肾", "膽胆", "臟脏", "臺台",
	"與与", "興兴", "艙舱", "芻刍", "茲兹", "莖茎", "華华", "萬万", "葉叶", "葷荤", "蒼苍", "蓮莲", "蔔卜", "蔥葱",
	"蕭萧", "薑姜", "藉借", "藥药", "蘇苏", "蘆芦", "虛虚", "蛻蜕", "蝕蚀", "蟲虫", "衆众", "衛卫", "製制", "規规",
	"親亲", "覽览", "觸触", "計计", "訂订", "訓训", "記记", "評评", "識识", "議议", "負负", "貞贞", "財财", "責责",
	"賬账", "質质", "購购", "趨趋", "蹤踪", "車车", "軍军", "軟软", "較较", "載载", "輔辅", "輕轻", "輸输", "辦办",
	"迴回", "週周", "進进", "運运", "過过", "達达", "違违", "遙遥", "適适", "選选", "還还", "邊边", "邏逻", "釐厘",
	"針针", "鈞钧", "鉅巨", "錄录", "鍊炼", "鍾钟", "鎮镇", "鏟铲", "長长", "門门", "閉闭", "開开", "閑闲", "間间",
	"閱阅", "闆板", "關关", "陳陈", "陸陆", "隊队", "階阶", "際际", "險险", "隨随", "隱隐", "雙双", "難难", "雲云",
	"電电", "靜静", "面面", "頁页", "項项", "順顺", "須须", "預预", "領领", "題题", "額额", "類类", "顯显", "飛飞",
	"飲饮", "養养", "餘余", "馬马", "驗验", "體体", "鬥斗", "鬧闹", "麥麦", "黨党", "齊齐", "龍龙", "窗窗", "遲迟",
	"佈布", "佔占", "併并", "來来", "侖仑", "侶侣", "係系", "倆俩", "個个", "們们", "倫伦", "偉伟", "側侧", "偵侦",
	"偽伪", "傘伞", "備备", "傭佣", "催催", "傳传", "債债", "傷伤", "傾倾", "僅仅", "僑侨", "價价", "儀仪", "億亿",
	"儉俭", "儘尽", "償偿", "優优", "兒儿", "兌兑", "內内", "兩两", "冊册", "凍冻", "凱凯", "別别", "刪删", "則则",
	"剋克", "剎刹", "剝剥", "剷铲", "劃划", "劇剧", "劍剑", "劑剂", "勁劲", "動动", "務务", "勛勋", "勝胜", "勞劳",
	"勢势", "勵励", "勸劝", "匯汇", "匱匮", "區区", "協协", "卻却", "厙厍", "厭厌", "厲厉", "參参", "叢丛", "吳吴",
	"呂吕", "員员", "問问", "啞哑", "喚唤", "單单", "喪丧", "嗎吗", "嘆叹", "嘗尝", "噸吨", "嚇吓", "嚴严", "囑嘱",
	"圍围", "園园", "圓圆", "圖图", "團团", "執执", "堅坚", "報报", "場场", "塊块", "塗涂", "塵尘", "墊垫", "墜坠",
	"墮堕", "壇坛", "壓压", "壘垒", "壞坏", "壟垄", "壤壤", "壯壮", "壺壶", "壽寿", "夠够", "夢梦", "夾夹", "奧奥",
	"奪夺", "奮奋", "妝妆", "婁娄", "婦妇", "媽妈", "嬰婴", "孫孙", "學学", "寧宁", "實实", "審审", "寫写", "寬宽",
	"寶宝", "將将", "專专", "尋寻", "對对", "導导", "屆届", "屍尸", "層层", "屬属", "岡冈", "崗岗", "嶺岭", "巖岩",
	"帥帅", "師师", "帳帐", "帶带", "幫帮", "幹干", "幾几", "庫库", "廁厕", "廂厢", "廚厨", "廟庙", "廠厂", "廢废",
	"廣广", "廳厅", "弒弑", "張张", "強强", "彆别", "彌弥", "彎弯", "彥彦", "後后", "徑径", "從从", "復复", "徵征",
	"徹彻", "恆恒", "恥耻", "悅悦", "悶闷", "惡恶", "惱恼", "惲恽", "愛爱", "慘惨", "慚惭", "慣惯", "慮虑", "慶庆",
	"憂忧", "憑凭", "憤愤", "憲宪", "應应", "懲惩", "懶懒", "懷怀", "懸悬", "懼惧", "戀恋", "戰战", "戲戏", "戶户",
	"拋抛", "挾挟", "捨舍", "掃扫", "掄抡", "採采", "揀拣", "換换", "揮挥", "損损", "搖摇", "搶抢", "摯挚", "撐撑",
	"擁拥", "擇择", "擊击", "擋挡", "擔担", "據据", "擠挤", "擬拟", "擱搁", "擾扰", "攏拢", "攔拦", "攤摊", "攪搅",
	"敵敌", "數数", "斬斩", "斷断", "時时", "晝昼", "暈晕", "暢畅", "暫暂", "曆历", "書书", "會会", "東东", "條条",
	"來来", "極极", "構构", "槓杠", "樓楼", "權权", "歸归", "殺杀", "殼壳", "氣气", "漢汉", "濟济", "為为", "無无",
	"爭争", "爺爷", "牘牍", "狀状", "猶犹", "獨独", "獲获", "畫画", "當当", "發发", "盡尽", "監监", "盤盘", "碼码",
	"礎础", "禮礼", "種种", "稱称", "穩稳", "簡简", "糧粮", "紀纪", "約约", "紅红", "紙纸", "細细", "組组", "終终",
	"結结", "給给", "統统", "絕绝", "經经", "綜综", "綠绿", "維维", "網网", "編编", "緣缘", "縮缩", "義义", "聲声",
	"聽听", "肅肃", "腦脑", "臨临", "舉举", "藝艺", "處处", "術术", "衝冲", "複复", "見见", "視视", "覺觉", "觀观",
	"討讨", "設设", "許许", "論论", "訴诉", "詢询", "試试", "詳详", "誠诚", "語语", "誤误", "說说", "課课", "調调",
	"談谈", "請请", "諮咨", "謝谢", "證证", "讀读", "讓让", "豐丰", "貝贝", "貿贸", "費费", "資资", "賦赋", "賀贺",
	"贊赞", "趙赵", "趕赶", "輛辆", "辭辞", "遞递", "遠远", "鄰邻", "醫医", "釋释", "銀银", "鋼钢", "錢钱", "錯错",
	"鍵键", "錶表", "閒闲", "陽阳", "雜杂", "頂顶", "頭头", "頻频", "顏颜", "風风", "館馆", "髮发", "魚鱼", "鳥鸟",
	"齒齿", "讯讯",
}

// isToneVowel reports pinyin letters with tone marks, which only ever appear
// in text as the debris of a broken conversion ("發(fā)布").
func isToneVowel(r rune) bool {
	switch r {
	case 'ā', 'á', 'ǎ', 'à', 'ē', 'é', 'ě', 'è', 'ī', 'í', 'ǐ', 'ì', 'ō', 'ó', 'ǒ', 'ò', 'ū', 'ú', 'ǔ', 'ù', 'ǖ', 'ǘ', 'ǚ', 'ǜ', 'ü':
		return true
	}
	return false
}

// pinyinDebris returns the length in bytes of a "(fā)" group starting at
// s[i] == '(' or '（', or 0 when there is none.
func pinyinDebris(s string, i int) int {
	w := 1
	if s[i] != '(' {
		w = 3 // （
	}
	j := i + w
	// Cheap refusal: pinyin starts with a-z or a Latin-1/Extended-A letter.
	if j >= len(s) || !(s[j] >= 'a' && s[j] <= 'z' || s[j] >= 0xC3 && s[j] <= 0xC7) {
		return 0
	}
	// Read byte by byte: the letters are ASCII, the tone vowels two-byte
	// runes (leads 0xC3 to 0xC7, never overlong), and the group ends with
	// ) or ）; anything else refuses it.
	letters, tone := 0, false
	for j < len(s) && letters <= 8 {
		c := s[j]
		switch {
		case c == ')' || c == 0xEF && hasAt(s, j, "）"):
			// Toneless, the group is a gloss only when it spells one
			// syllable (年(nian)11月): an aside such as (pdf) stays.
			if tone && letters > 0 || !tone && pinyinSyllable(s[i+w:j]) {
				w := 1
				if c != ')' {
					w = len("）")
				}
				return j + w - i
			}
			return 0
		case c >= 'a' && c <= 'z':
			j++
		case c >= 0xC3 && c <= 0xC7 && j+1 < len(s) && s[j+1]&0xC0 == 0x80:
			if !isToneVowel(rune(c&0x1F)<<6 | rune(s[j+1]&0x3F)) {
				return 0
			}
			tone = true
			j += 2
		default:
			return 0
		}
		letters++
	}
	return 0
}

// pinyinFinals are the finals of Mandarin syllables, written as in pinyin
// (ü as v or u after j, q, x, y).
var pinyinFinals = map[string]bool{
	"a": true, "o": true, "e": true, "ai": true, "ei": true, "ao": true, "ou": true, "an": true, "en": true,
	"ang": true, "eng": true, "ong": true, "er": true, "i": true, "ia": true, "ie": true, "iao": true,
	"iu": true, "ian": true, "in": true, "iang": true, "ing": true, "iong": true, "u": true, "ua": true,
	"uo": true, "uai": true, "ui": true, "uan": true, "un": true, "uang": true, "ue": true, "v": true,
	"ve": true, "van": true, "vn": true,
}

// pinyinSyllable reports letters that spell one toneless pinyin syllable
// (nian, yue, ri, zhong), at least two letters long.
func pinyinSyllable(t string) bool {
	if len(t) < 2 || len(t) > 6 {
		return false
	}
	for _, in := range []string{"zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w", ""} {
		if len(t) >= len(in) && t[:len(in)] == in {
			return pinyinFinals[t[len(in):]]
		}
	}
	return false
}

func isHan(r rune) bool { return r >= 0x3400 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF }

// asciiKind says what the fast scan (copyPlain) does with an ASCII byte.
const (
	asciiSlow     = iota // the slow path reads it: folded or dropped
	asciiPlain           // copied as it is
	asciiDigit           // copied; the first digit of a run is an anchor
	asciiLine            // '\n': copied and noted
	asciiEnd             // ; ! ?: copied and noted
	asciiAfterHan        // ' ', '(': after a Chinese character, maybe layout or pinyin debris
)

var asciiKind = func() (t [128]uint8) {
	for c := 0x20; c < 0x7F; c++ {
		t[c] = asciiPlain
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = asciiDigit
	}
	t['\n'] = asciiLine
	t[';'], t['!'], t['?'] = asciiEnd, asciiEnd, asciiEnd
	t[' '], t['('] = asciiAfterHan, asciiAfterHan
	return t
}()

// marks are the positions normalize notes as it goes.
type marks struct {
	anchors  []int32 // starts of digit runs and Chinese numerals
	ends     []int32 // 。 ; ! ?
	newlines []int32
}

// note appends x to *l within its capacity, or reports that it is full
// (the slow path then appends and grows it). It calls nothing, so that
// copyPlain's loop keeps its variables in registers.
func note(l *[]int32, x int) bool {
	k := len(*l)
	if k == cap(*l) {
		return false
	}
	*l = (*l)[:k+1]
	(*l)[k] = int32(x)
	return true
}

// copyPlain copies plain runes from s[i:] to b[n:], noting digit runs,
// Chinese numerals, line breaks and sentence ends in m, and stops at the
// first rune that needs the slow path. Plain are: ASCII that needs no
// folding (a space or parenthesis after a Chinese character only when the
// next byte shows it is neither layout nor pinyin debris), and valid
// three-byte runes that are either not marked in specialBits, or are 。
// or a numeral, or fold to another three-byte rune (traditional to
// simplified). Every plain rune keeps its length, so no offset point is
// needed inside a run. Runes that the slow path would only copy and note
// are handled here: each trip to the slow path costs a decode and a call.
//
// A stretch of plain runes is only read, then copied at once (a plain rune
// is written as it was read, except a folded one, which ends the stretch
// before it). The text is read four bytes at a time: one load and one mask
// tell a three-byte rune (most of a notice) from anything else, and its
// bits index specialBits without decoding it. While a stretch is pending,
// the output so far ends with it: the tests of the last rune written
// (a digit, a Chinese character, a numeral, 第) read it there. The last
// three bytes of s are left to the slow path.
func copyPlain(b []byte, n int, s string, i int, m *marks) (int, int) {
	bits := specialBits
	from := i // the pending stretch is s[from:i], to go to b[n:]
	for i+4 <= len(s) {
		t := s[i : i+4]
		x := uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24
		// A lead byte 1110xxxx and two continuation bytes 10xxxxxx.
		if x&0xC0C0F0 == 0x8080E0 {
			// specialBits is indexed by the rune's bits: r>>6 is the lead's
			// low four bits and the second byte's six, r&63 the third's.
			k := (x&0x0F)<<6 | (x>>8)&0x3F
			if bits[k]&(1<<(x>>16&0x3F)) == 0 {
				i += 3
				continue
			}
			r := k<<6 | x>>16&0x3F
			o := n + i - from           // where the rune goes in the output
			if x&0xFFFFFF == 0x8280E3 { // 。 ends a sentence
				if !note(&m.ends, o) {
					break
				}
			} else if f := uint32(fold3Table[r]); f != 0 {
				copy(b[n:], s[from:i])
				n = o
				b[n], b[n+1], b[n+2] = byte(0xE0|f>>12), byte(0x80|(f>>6)&0x3F), byte(0x80|f&0x3F)
				n += 3
				i += 3
				from = i
				continue
			} else if numeralTable[r] {
				// A Chinese numeral starts an anchor unless it goes on
				// with a number or follows 第 (as the slow path tells).
				var after bool
				if from < i {
					after = lastIsNumeral(s[from:i]) || hasSuffix3(s[from:i], "第")
				} else {
					after = lastIsNumeral(b[:n]) || hasSuffix3(b[:n], "第")
				}
				if !after && !note(&m.anchors, o) {
					break
				}
			} else {
				break
			}
			i += 3
			continue
		}
		c := byte(x)
		if c >= utf8.RuneSelf {
			break
		}
		o := n + i - from
		switch asciiKind[c] {
		case asciiPlain:
		case asciiDigit:
			var prevDigit bool
			if from < i {
				prevDigit = isDigit(s[i-1])
			} else {
				prevDigit = n > 0 && isDigit(b[n-1])
			}
			if !prevDigit && !note(&m.anchors, o) {
				return flush(b, n, s, from, i), i
			}
		case asciiLine:
			if !note(&m.newlines, o) {
				return flush(b, n, s, from, i), i
			}
		case asciiEnd:
			if !note(&m.ends, o) {
				return flush(b, n, s, from, i), i
			}
		case asciiAfterHan:
			// After a Chinese character, a space may be layout (spacedHan)
			// and a parenthesis may open pinyin debris (pinyinDebris): the
			// slow path reads them when the next byte allows either.
			next := byte(x >> 8)
			if c == ' ' && next >= 0xE3 && next <= 0xEF || c == '(' && (next >= 'a' && next <= 'z' || next >= 0xC3 && next <= 0xC7) {
				var han bool
				if from < i {
					han = lastIsHan(s[from:i])
				} else {
					han = lastIsHan(b[:n])
				}
				if han {
					return flush(b, n, s, from, i), i
				}
			}
		default:
			return flush(b, n, s, from, i), i
		}
		i++
	}
	return flush(b, n, s, from, i), i
}

// flush copies copyPlain's pending stretch s[from:i] to b[n:] and returns
// the output's new length.
func flush(b []byte, n int, s string, from, i int) int {
	return n + copy(b[n:], s[from:i])
}

// hasSuffix3 reports whether t ends with the three-byte rune w.
func hasSuffix3[T string | []byte](t T, w string) bool {
	n := len(t)
	return n >= 3 && t[n-3] == w[0] && t[n-2] == w[1] && t[n-1] == w[2]
}

// fold3Table holds the folds from one three-byte rune to another that need
// nothing else (the target is no numeral and marks nothing): copyPlain
// applies them in passing.
var fold3Table = func() *[0x10000]uint16 {
	var t [0x10000]uint16
	for r := 0x800; r < 0x10000; r++ {
		f := rune(foldTable[r])
		if f >= 0x800 && f != dropRune && f != rune(r) && !numeralTable[f] && !numeralTable[r] && f != '。' && f != '（' {
			t[r] = uint16(f)
		}
	}
	return &t
}()

// normalize builds the normalized text of s in one pass; invalid UTF-8 is
// read byte by byte as '?'. Folding never makes a rune longer, so the
// output buffer is sized once.
//
// This loop is the extractor's hot path. Runs of ordinary characters (most
// of any notice) are only checked, then copied at once; a rune that is
// folded, dropped, or marks something (a digit, a numeral, a sentence end,
// a line break, a parenthesis that may hold pinyin debris) takes the slow
// path, which looks back at the output for what it needs to know.
//
// The buffers come from w (a pooled scratch), grown when they are short;
// b needs no clearing, as only what was written is read.
func normalize(s string, w *scratch) normalized {
	b := w.b
	if cap(b) < len(s) {
		b = make([]byte, len(s))
	}
	b = b[:len(s)]
	pts := append(w.pts[:0], offPoint{})
	m := marks{
		anchors:  grow32(w.anchors, len(s)/32+4),
		ends:     grow32(w.ends, len(s)/64+4),
		newlines: grow32(w.newlines, len(s)/64+4),
	}
	n := 0
	delta := 0 // orig - norm in the current one-to-one stretch
	i := 0
	for {
		n2, i2 := copyPlain(b, n, s, i, &m)
		if i2 != i && i-n != delta {
			delta = i - n
			pts = append(pts, offPoint{int32(n), int32(i)})
		}
		n, i = n2, i2
		if i >= len(s) {
			break
		}
		// Slow path: one rune.
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r' || c == 0:
				i++
				continue
			case c == ' ' && lastIsHan(b[:n]) && spacedHan(s, i):
				// Text from PDFs spaces every character (申 报 时 间 ：);
				// between two Chinese characters a space is layout, and
				// dropping it lets the words be read.
				i++
				continue
			case c == '\t' || c == '\f' || c == '\v':
				c = ' '
			case c == '(' && lastIsHan(b[:n]):
				if k := pinyinDebris(s, i); k > 0 {
					i += k
					continue
				}
			}
			if i-n != delta {
				delta = i - n
				pts = append(pts, offPoint{int32(n), int32(i)})
			}
			switch {
			case c >= '0' && c <= '9':
				if n == 0 || !isDigit(b[n-1]) {
					m.anchors = append(m.anchors, int32(n))
				}
			case c == '\n':
				m.newlines = append(m.newlines, int32(n))
			case c == ';' || c == '!' || c == '?':
				m.ends = append(m.ends, int32(n))
			}
			b[n] = c
			n++
			i++
			continue
		}
		r, w := decodeRune(s[i:])
		if r == '（' && lastIsHan(b[:n]) {
			if k := pinyinDebris(s, i); k > 0 {
				i += k
				continue
			}
		}
		special := r < 0x10000 && specialBits[r>>6]&(1<<(r&63)) != 0
		folded := false
		if r == utf8.RuneError && w == 1 {
			r, folded = '?', true
		} else if special {
			if f := foldTable[r]; f != 0 {
				if f == dropRune {
					i += w
					continue
				}
				if rune(f) != r {
					r, folded = rune(f), true
				}
			}
		}
		if i-n != delta {
			delta = i - n
			pts = append(pts, offPoint{int32(n), int32(i)})
		}
		start := n
		if folded {
			if r < utf8.RuneSelf {
				b[n] = byte(r)
				n++
			} else {
				n += utf8.EncodeRune(b[n:], r)
			}
		} else {
			n += copy(b[n:], s[i:i+w])
		}
		i += w
		if n-start != w {
			delta = i - n
			pts = append(pts, offPoint{int32(n), int32(i)})
		}
		switch {
		case r >= '0' && r <= '9':
			if start == 0 || !isDigit(b[start-1]) {
				m.anchors = append(m.anchors, int32(start))
			}
		case r == ';' || r == '!' || r == '?' || r == '。':
			m.ends = append(m.ends, int32(start))
		case r == '\n':
			m.newlines = append(m.newlines, int32(start))
		case special && r < 0x10000 && numeralTable[r]:
			if !lastIsNumeral(b[:start]) && !(start >= 3 && b[start-3] == 0xE7 && b[start-2] == 0xAC && b[start-1] == 0xAC) { // not after 第
				m.anchors = append(m.anchors, int32(start))
			}
		}
	}
	w.b, w.pts, w.anchors, w.ends, w.newlines = b, pts, m.anchors, m.ends, m.newlines
	// b is not written again while the string is in use: share it with the
	// string rather than copy.
	return normalized{s: unsafe.String(unsafe.SliceData(b), n), pts: pts, anchors: m.anchors, ends: m.ends, newlines: m.newlines}
}

// grow32 returns l emptied, with room for at least n.
func grow32(l []int32, n int) []int32 {
	if cap(l) < n {
		return make([]int32, 0, n)
	}
	return l[:0]
}

// spacedHan reports whether the space at s[i] is the layout of text that
// spaces every character (申 报 时 间 ：, from PDFs): one space between two
// Chinese characters, one of which is spaced on its other side too. A
// space between words (市科技局 浏览次数) or two (a breadcrumb's
// separator) are kept.
func spacedHan(s string, i int) bool {
	j := i + 1
	if j+2 >= len(s) || s[j] < 0xE3 || s[j] > 0xEF {
		return false
	}
	r, w := decodeRune(s[j:])
	if !(r >= 0x3400 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r == '：' || r == '，') {
		return false
	}
	before := i >= 4 && s[i-4] == ' '
	after := j+w < len(s) && s[j+w] == ' '
	return before || after
}

// lastIsHan reports whether the output so far ends with a Chinese
// character. (It reads the output, or the pending stretch of copyPlain,
// which ends it.)
func lastIsHan[T string | []byte](b T) bool {
	n := len(b)
	if n < 3 || b[n-1] < utf8.RuneSelf || b[n-3] < 0xE3 || b[n-3] > 0xE9 {
		return false
	}
	r := rune(b[n-3]&0x0F)<<12 | rune(b[n-2]&0x3F)<<6 | rune(b[n-1]&0x3F)
	return r >= 0x3400
}

// lastIsNumeral reports whether the output so far ends inside a Chinese
// number (a numeral, or the O of 二OO六).
func lastIsNumeral[T string | []byte](b T) bool {
	n := len(b)
	if n == 0 {
		return false
	}
	if c := b[n-1]; c < utf8.RuneSelf {
		return c == 'O' || c == 'o'
	}
	// Every numeral is a three-byte rune, whose lead stands three bytes
	// back when it ends the output; any other last rune (two or four
	// bytes) is none.
	if n >= 3 && b[n-3]&0xF0 == 0xE0 {
		return numeralTable[rune(b[n-3]&0x0F)<<12|rune(b[n-2]&0x3F)<<6|rune(b[n-1]&0x3F)]
	}
	return false
}
