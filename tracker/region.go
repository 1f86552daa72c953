package tracker

import "strings"

// provinces: the region names subscribers filter on, with the host words
// of their government sites.
var provinces = []struct{ name, host string }{
	{"北京", "beijing"}, {"天津", "tianjin"}, {"河北", "hebei"}, {"山西", "shanxi"}, {"内蒙古", "nmg"},
	{"辽宁", "liaoning"}, {"吉林", "jilin"}, {"黑龙江", "hlj"}, {"上海", "shanghai"}, {"江苏", "jiangsu"},
	{"浙江", "zhejiang"}, {"安徽", "anhui"}, {"福建", "fujian"}, {"江西", "jiangxi"}, {"山东", "shandong"},
	{"河南", "henan"}, {"湖北", "hubei"}, {"湖南", "hunan"}, {"广东", "guangdong"}, {"广西", "guangxi"},
	{"海南", "hainan"}, {"重庆", "chongqing"}, {"四川", "sichuan"}, {"贵州", "guizhou"}, {"云南", "yunnan"},
	{"西藏", "xizang"}, {"陕西", "shaanxi"}, {"甘肃", "gansu"}, {"青海", "qinghai"}, {"宁夏", "ningxia"},
	{"新疆", "xinjiang"},
}

// Big cities whose sites do not name their province.
var cities = map[string]string{
	"shenzhen": "广东", "guangzhou": "广东", "dongguan": "广东", "wuhan": "湖北", "chengdu": "四川",
	"hangzhou": "浙江", "nanjing": "江苏", "suzhou": "江苏", "jinan": "山东", "qingdao": "山东",
	"zhengzhou": "河南", "xian": "陕西", "changsha": "湖南", "hefei": "安徽", "fuzhou": "福建",
	"xiamen": "福建", "ningbo": "浙江", "shijiazhuang": "河北", "taiyuan": "山西",
	"深圳": "广东", "广州": "广东", "东莞": "广东", "武汉": "湖北", "成都": "四川", "杭州": "浙江",
	"南京": "江苏", "苏州": "江苏", "济南": "山东", "青岛": "山东", "郑州": "河南", "西安": "陕西",
	"长沙": "湖南", "合肥": "安徽", "厦门": "福建", "宁波": "浙江", "石家庄": "河北", "太原": "山西",
	"中关村": "北京",
}

// National ministries' sites: their notices are for all of China.
var nationalHosts = []string{"www.gov.cn", "most.gov.cn", "miit.gov.cn", "ndrc.gov.cn", "mof.gov.cn",
	"mofcom.gov.cn", "mohrss.gov.cn", "samr.gov.cn", "cnipa.gov.cn", "nsfc.gov.cn", "moe.gov.cn", "mee.gov.cn"}

// Region guesses a notice's region (a province name, or 全国) from its
// issuer, its title and its site. The issuer speaks first: a provincial
// bureau reposting a national notice is a provincial notice.
func Region(issuer, title, host string) string {
	for _, t := range []string{issuer, title} {
		for _, p := range provinces {
			if strings.HasPrefix(t, p.name) {
				return p.name
			}
		}
		for c, p := range cities {
			if c[0] > 0x7F && strings.HasPrefix(t, c) {
				return p
			}
		}
	}
	h := strings.ToLower(host)
	for _, p := range provinces {
		if strings.Contains(h, p.host) {
			return p.name
		}
	}
	for c, p := range cities {
		if c[0] <= 0x7F && strings.Contains(h, c) {
			return p
		}
	}
	for _, n := range nationalHosts {
		if h == n || strings.HasSuffix(h, "."+n) {
			return "全国"
		}
	}
	for _, t := range []string{issuer, title} {
		for _, p := range provinces {
			if strings.Contains(t, p.name) {
				return p.name
			}
		}
	}
	return ""
}
