"""O juiz: os testes das células avaliadas correm aqui, fora do processo do aluno.

Porquê: tudo o que corre no kernel do aluno pode ser mudado pelo aluno (um transformador de
AST do IPython que embrulha cada célula num ``try``, um ``assert`` trocado por ``pass``, um
``np.allclose`` substituído, um ``int`` cujo ``__eq__`` diz sempre que sim). Se o veredicto
fosse calculado lá, uma célula acrescentada dava a nota toda sem código nenhum.

Como (docs/invariantes.md#i10-nenhum-veredicto-no-processo-do-aluno):

1. o nbgrader corre o caderno do aluno no kernel da caixa de areia (``caixa.py``) como sempre,
   mas as células de teste julgadas correm vazias (nenhum teste lá entra);
2. com o kernel ainda vivo, o juiz corre, neste processo, o código de cada célula de teste
   (visível e oculto) num espaço de nomes seu: o contexto do caderno (a secção
   ``# %% contexto`` de ``testes_ocultos/NN_nome.py``: imports, dados, modelos que os testes
   usam, calculados aqui) e, no lugar de cada exercício do manifesto, um ``ChamadaRemota``;
3. cada chamada a um exercício é um pedido ao kernel do aluno
   (``otimizacao.servico_avaliacao.servir``) com os argumentos como dados simples; a resposta
   volta como dados simples (``de_dados``: nunca pickle, nunca um objeto do aluno), ou como o
   erro que a função levantou (com o tipo embutido mais próximo);
4. o juiz escreve a saída de cada célula de teste (as linhas ✅ de ``verificacao.passou``, que
   aqui não regista progresso, ou um erro com a mensagem) e o ``SaveAutoGrades`` do nbgrader dá
   a nota a partir dela, como sempre.

Uma observação em falta (o kernel morreu, a resposta não veio) ou mal formada faz falhar o
teste que a pediu. Uma forjada (o aluno mudou o ``servir``) vale o mesmo que a função devolver
esses valores — que o aluno teria de calcular, porque os esperados nunca saem daqui.

Um teste que precisa de uma variável do caderno (a curva de um treino feito lá) lê-a do kernel
como dado simples, depois de o caderno correr: o contexto lista-as em ``DO_KERNEL`` e o seu
``depois_do_caderno()`` calcula aqui, a partir delas, o que se espera.

Objetos do aluno (uma instância do ``Destilador``, do ``PipelineOtimizacao``) ficam no kernel e
usam-se por número (``ObjetoRemoto``): os métodos chamam-se lá e devolvem dados; os modelos com
que foram criados voltam para cá depois de cada método. O que só se observa correndo no kernel (um
``fit`` com um callback do aluno, um gestor de contexto do caderno, uma função espiada) corre lá
por cenários do pacote (``otimizacao.cenarios``, ``no_kernel``) que só contam o que aconteceu.

Um caderno é julgado aqui quando o seu ficheiro de testes ocultos tem a secção
``# %% contexto`` (todos os do curso têm; sem ela, os testes correriam no kernel do aluno, e
``tests/unidade/test_juiz.py`` falha).
"""

from __future__ import annotations

import base64
import builtins
import json
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder import comum
from otimizacao import mensagens

CONTEXTO = "contexto"


class ObservacaoEmFalta(RuntimeError):
    """O kernel do aluno não respondeu a um pedido (morreu, esgotou o tempo, respondeu mal)."""


class FalhaDoJuiz(BaseException):
    """Uma falha da própria avaliação (não do aluno): a entrega fica «não avaliada». Deriva de
    BaseException para que nenhum ``except Exception`` de um teste a transforme num teste falhado."""


class ErroDoAluno(Exception):
    """Um erro levantado pela função do aluno, trazido para cá com o tipo embutido mais próximo."""


_classes_de_erro: dict[str, type] = {}


def _erro_do_aluno(tipos: list[str], mensagem: str) -> BaseException:
    """Reconstrói o erro do aluno: uma subclasse de ``ErroDoAluno`` e do primeiro tipo embutido
    da sua hierarquia (``levanta(ValueError, …)`` e ``except NotImplementedError`` continuam a
    funcionar), com a mensagem. Nunca se cria um tipo do aluno."""
    base = Exception
    for nome in tipos:
        candidato = getattr(builtins, str(nome), None)
        if isinstance(candidato, type) and issubclass(candidato, Exception):
            base = candidato
            break
    nome = f"{tipos[0] if tipos else 'Erro'}"[:80]
    chave = f"{base.__name__}:{nome}"
    if chave not in _classes_de_erro:
        _classes_de_erro[chave] = type(nome, (ErroDoAluno, base), {})
    return _classes_de_erro[chave](mensagem)


def contexto_do_caderno(caderno: str, autograder: Path | None = None) -> str | None:
    """O código da secção ``contexto`` do caderno (None: o caderno ainda não é julgado aqui)."""
    pasta = Path(autograder) if autograder else comum.AUTOGRADER
    return comum.seccoes_dos_testes_ocultos(pasta / "testes_ocultos" / f"{caderno}.py").get(CONTEXTO)


def _literal_do_contexto(contexto: str, nome: str):
    """O valor literal de ``nome = …`` no contexto, lido sem o correr (None se não houver)."""
    import ast

    for no in ast.parse(contexto).body:
        if isinstance(no, ast.Assign) and any(isinstance(a, ast.Name) and a.id == nome for a in no.targets):
            return ast.literal_eval(no.value)
    return None


def lidos_do_kernel(contexto: str) -> tuple[str, ...]:
    """As variáveis do caderno que o juiz lê do kernel depois de o caderno correr
    (``DO_KERNEL = (...)``, um literal): entradas dos testes, como a curva de um treino do
    caderno; o que se espera delas calcula-se no juiz (``depois_do_caderno()`` do contexto)."""
    return tuple(str(n) for n in (_literal_do_contexto(contexto, "DO_KERNEL") or ()))


def julgadas(celulas, contexto: str | None) -> list[int]:
    """Os índices das células de teste que o juiz avalia: as células de código avaliadas, sem
    resposta do aluno, de um caderno com contexto (todos os do curso têm um: tests/unidade/test_juiz.py)."""
    if contexto is None:
        return []
    return [i for i, c in enumerate(celulas)
            if c.cell_type == "code" and comum.e_teste(c)]


class VerificacaoNoJuiz:
    """O ``verificacao`` das células de teste no juiz (``otimizacao.verificacao``, sem o registo).

    ``passou`` confere os nomes no manifesto e guarda a linha ✅ em ``linhas`` (o juiz põe-na na
    saída da célula, que vai para o feedback), mas não regista progresso: o registo é um ficheiro
    do aluno, que aqui não existe. ``registar_medidas`` só confere os nomes. Um nome que o
    manifesto não conhece é um erro de quem escreveu o caderno: ``FalhaDoJuiz``, nunca um 0."""

    def __init__(self):
        from otimizacao import verificacao

        self._verificacao = verificacao
        self.levanta = verificacao.levanta
        self.linhas: list[str] = []

    def _conferido(self, funcao, *args, **kwargs):
        try:
            return funcao(*args, **kwargs)
        except (self._verificacao.NomeDesconhecido, TypeError) as erro:
            raise FalhaDoJuiz(f"a célula de teste chama mal a verificação ({erro})") from None

    def passou(self, *args, **kwargs) -> None:
        _, linha = self._conferido(self._verificacao.linha_de_passou, *args, **kwargs)
        self.linhas.append(linha)

    def registar_medidas(self, *args, **kwargs) -> None:
        self._conferido(self._verificacao.conferir_medidas, *args, **kwargs)


class _Chamavel:
    """O que há de comum a tudo o que se chama no kernel do aluno a partir do juiz."""

    _canal = None
    _alvo: dict = {}
    _atributo: str | None = None
    _ligados = None  # (args, kwargs) do juiz com que o objeto foi criado

    def _pedir(self, args, kwargs, **opcoes):
        return self._canal.chamar(self._alvo, args, kwargs, atributo=self._atributo, ligados=self._ligados,
                                  **opcoes)

    def __call__(self, *args, **kwargs):
        return self._pedir(args, kwargs)

    def em_grafo(self, **opcoes):
        """Esta função compilada com ``tf.function(..., **opcoes)``, no kernel do aluno."""
        return lambda *args, **kwargs: self._pedir(args, kwargs, grafo=dict(opcoes))


class MetodoRemoto(_Chamavel):
    """Um atributo (método, método de classe) de um exercício ou objeto do aluno."""

    def __init__(self, canal, alvo: dict, atributo: str, ligados=None):
        self._canal, self._alvo, self._atributo, self._ligados = canal, alvo, atributo, ligados
        self.__name__ = atributo

    def __repr__(self) -> str:
        return f"<método {self._atributo} do aluno>"


class _ComAtributos(_Chamavel):
    def __getattr__(self, nome: str):
        """Um atributo do objeto do aluno: lido lá; um valor vem como dados, um método fica um
        ``MetodoRemoto`` (chamado lá)."""
        if nome.startswith("_"):  # nomes especiais (numpy, IPython, copy…): nunca vão ao kernel
            raise AttributeError(nome)
        valor = self._canal.chamar(self._alvo, (), {}, ler=True, atributo=nome)
        if isinstance(valor, mensagens.Metodo):
            return MetodoRemoto(self._canal, self._alvo, nome, self._ligados)
        return valor


class ChamadaRemota(_ComAtributos, mensagens.Referencia):
    """Um exercício do aluno visto do juiz: chamá-lo é um pedido ao kernel do aluno; um atributo
    (``WarmUpCosineDecay.from_config``) também."""

    def __init__(self, canal, nome: str):
        self._canal, self.__name__, self._alvo = canal, nome, {"nome": nome}

    def _como_dados(self) -> dict:
        return {"t": "exercicio", "nome": self.__name__}

    def __repr__(self) -> str:
        return f"<exercício {self.__name__} do aluno>"


class ObjetoRemoto(_ComAtributos, mensagens.Referencia):
    """Uma instância de uma classe do aluno, guardada no kernel dele: os métodos chamam-se lá e
    devolvem dados; passada a outra chamada, vai o número."""

    def __init__(self, canal, numero: int, tipo: str, ligados=None):
        self._canal, self._numero, self._tipo = canal, numero, tipo
        self._alvo, self._ligados = {"objeto": numero}, ligados

    def _como_dados(self) -> dict:
        return {"t": "remoto", "id": self._numero}

    def __repr__(self) -> str:
        return f"<{self._tipo} do aluno>"


class FuncaoNoKernel(_Chamavel):
    """Uma função do pacote ``otimizacao`` (um cenário de teste que só observa, sem veredicto),
    corrida no kernel do aluno com os exercícios e objetos dele; devolve dados."""

    def __init__(self, canal, modulo: str, nome: str):
        self._canal, self._alvo, self.__name__ = canal, {"modulo": modulo, "nome": nome}, nome


class ModuloNoKernel:
    """Um módulo do pacote ``otimizacao`` cujas funções correm no kernel do aluno."""

    def __init__(self, canal, modulo: str):
        self._canal, self._modulo = canal, modulo

    def __getattr__(self, nome: str):
        if nome.startswith("_"):
            raise AttributeError(nome)
        return FuncaoNoKernel(self._canal, self._modulo, nome)


class ContextoNoKernel(_Chamavel):
    """Um gestor de contexto do caderno (``numa_pasta_vazia``) aberto no kernel do aluno: o
    ``with`` do juiz abre-o e fecha-o lá, e o valor do ``as`` recebe o estado final."""

    def __init__(self, canal, nome: str):
        self._canal, self._alvo, self.__name__ = canal, {"nome": nome}, nome

    def __call__(self, *args, **kwargs):
        canal, alvo = self._canal, self._alvo

        class _Aberto:
            def __enter__(aberto):
                aberto.valor, aberto.numero = canal.chamar(alvo, args, kwargs, contexto="entrar")
                return aberto.valor

            def __exit__(aberto, *erro):
                final = canal.chamar({"objeto": aberto.numero}, (), {}, contexto="sair")
                _repor(aberto.valor, final)
                return False

        return _Aberto()


class _TFNoJuiz:
    """O módulo ``tensorflow`` do contexto, com ``tf.function`` de um exercício do aluno a compilar
    a função lá, no kernel dele (o grafo de uma função do aluno nunca corre aqui)."""

    def __init__(self, tf):
        self._tf = tf

    def function(self, func=None, **opcoes):
        if isinstance(func, _Chamavel):
            return func.em_grafo(**opcoes)
        if func is None:
            return lambda f: self.function(f, **opcoes)
        return self._tf.function(func, **opcoes)

    def __getattr__(self, nome):
        return getattr(self._tf, nome)


@dataclass
class Veredicto:
    passou: bool
    mensagem: str = ""
    parte: str = ""  # "visível" ou "oculta": onde falhou
    tipo: str = ""  # o tipo do erro que fez falhar (AssertionError, ValueError, ObservacaoEmFalta…)
    linhas: tuple[str, ...] = ()  # as linhas ✅ de ``verificacao.passou`` (só quando passou)


@dataclass
class Julgamento:
    veredictos: dict[str, Veredicto] = field(default_factory=dict)
    falha_do_juiz: str = ""  # uma falha da própria avaliação (não do aluno): entrega «não avaliada»


def _mensagem(erro: BaseException) -> str:
    if isinstance(erro, AssertionError):
        return str(erro) or "Um teste falhou."
    if isinstance(erro, ErroDoAluno) and isinstance(erro, NotImplementedError):
        return f"{erro} (a função ainda tem o esqueleto)"
    return str(erro) or type(erro).__name__


def julgar_celula(visivel: str, oculta: str, espaco: dict) -> Veredicto:
    """Corre a parte visível e depois a oculta no espaço ``espaco``; o primeiro erro decide.
    Se passou, o veredicto leva as linhas ✅ que a célula escreveu com ``verificacao.passou``."""
    verificacao = espaco.get("verificacao")
    linhas = verificacao.linhas if isinstance(verificacao, VerificacaoNoJuiz) else []
    linhas.clear()
    for parte, codigo in (("visível", visivel), ("oculta", oculta)):
        if not codigo.strip():
            continue
        try:
            exec(compile(codigo, f"<teste {parte}>", "exec"), espaco)  # noqa: S102 (código do professor)
        except NameError as erro:
            if isinstance(erro, ErroDoAluno):  # levantado pela função do aluno: é dele
                return Veredicto(False, _mensagem(erro), parte, type(erro).__name__)
            # Um nome que o contexto do juiz não define: a falha é da avaliação, nunca um 0.
            raise FalhaDoJuiz(f"o teste ({parte}) usa um nome que o contexto do juiz não define: {erro}") from None
        except Exception as erro:  # noqa: BLE001 (qualquer outro erro num teste é um teste falhado)
            return Veredicto(False, _mensagem(erro), parte, type(erro).__name__)
    return Veredicto(True, linhas=tuple(linhas))


class _SementesParaOAluno:
    """O ``otimizacao.modelos`` do contexto, com ``fixar_sementes`` a valer também no kernel do
    aluno: o teste fixa as sementes no juiz e a chamada seguinte leva-as (mesma entrega, mesma
    nota: o treino do aluno corre lá)."""

    def __init__(self, modulo):
        self._modulo, self.pendente = modulo, None

    def fixar_sementes(self, semente=0):
        self.pendente = semente
        return self._modulo.fixar_sementes(semente)

    def __getattr__(self, nome):
        return getattr(self._modulo, nome)


def preparar_contexto(espaco: dict, contexto: str, nome: str) -> None:
    """Corre o contexto do caderno no espaço dos testes (código do professor, neste processo)."""
    exec(compile(contexto, f"<contexto de {nome}>", "exec"), espaco)  # noqa: S102
    if "modelos" in espaco and hasattr(espaco["modelos"], "fixar_sementes"):
        espaco["modelos"] = _SementesParaOAluno(espaco["modelos"])
    if getattr(espaco.get("tf"), "__name__", "") == "tensorflow":
        espaco["tf"] = _TFNoJuiz(espaco["tf"])


def espaco_base(canal, exercicios: list[str]) -> dict:
    """O espaço de nomes onde correm os testes: o que todos os cadernos usam, os exercícios, e
    as pontes para o que vive no kernel do aluno (``no_kernel``: um módulo do pacote;
    ``contexto_no_kernel``: um gestor de contexto do caderno)."""
    import numpy as np

    from otimizacao.verificacao import levanta

    def espiar(nomes, funcao, *args, **kwargs):
        """(valor, chamadas): chama ``funcao`` do aluno com ``nomes`` (``"torch.save"``) espiados lá;
        ``chamadas[nome]``: por chamada, [tipo, é_ficheiro_em_memória] de cada argumento."""
        canal.espiados = {}
        valor = funcao._pedir(args, kwargs, espiar=list(nomes))
        return valor, {n: list(canal.espiados.get(n) or []) for n in nomes}

    espaco = {"__name__": "__juiz__", "np": np, "levanta": levanta, "verificacao": VerificacaoNoJuiz(),
              "no_kernel": lambda modulo: ModuloNoKernel(canal, modulo),
              "contexto_no_kernel": lambda nome: ContextoNoKernel(canal, nome), "espiar": espiar}
    for nome in exercicios:
        espaco[nome] = ChamadaRemota(canal, nome)
    return espaco


def _tensores() -> str:
    """Tensores do aluno chegam ao juiz como tensores se o contexto do caderno importou o
    TensorFlow ou o PyTorch (os testes usam ``.numpy()``, ``.dtype``), senão como arrays."""
    return "nativos" if "tensorflow" in sys.modules or "torch" in sys.modules else "numpy"


def pedido(alvo: dict | str, args: tuple, kwargs: dict, semente=None, ler: bool = False, **opcoes) -> str:
    """O código a correr no kernel do aluno para uma chamada (só os dados de entrada); com ``ler``,
    o pedido do valor do nome do caderno (sem o chamar). ``alvo``: um nome do caderno (texto ou
    ``{"nome": …}``), ``{"objeto": número}`` ou ``{"modulo": …, "nome": …}``; ``opcoes``:
    ``atributo``, ``grafo``, ``contexto`` (ver ``servico_avaliacao.servir``)."""
    from otimizacao.mensagens import para_dados

    alvo = {"nome": alvo} if isinstance(alvo, str) else dict(alvo)
    msg = {"alvo": alvo, "args": para_dados(tuple(args)), "kwargs": para_dados(dict(kwargs)), "semente": semente,
           "ler": bool(ler), **{k: v for k, v in opcoes.items() if v is not None}}
    try:
        import numpy as np

        msg["errstate"] = {k: v for k, v in np.geterr().items() if k in ("divide", "over", "under", "invalid")}
    except ImportError:
        pass
    texto = base64.b64encode(json.dumps(msg).encode("utf-8")).decode("ascii")
    return f'__import__("otimizacao.servico_avaliacao", fromlist=["servir"]).servir("{texto}", globals())'


def sonda(acao: str) -> str:
    """O código da sonda no kernel do aluno (``servico_avaliacao.marcar`` / ``inspecionar``)."""
    if acao not in ("marcar", "inspecionar"):
        raise ValueError(acao)
    return f'__import__("otimizacao.servico_avaliacao", fromlist=["{acao}"]).{acao}()'


_ADULTERACOES = {
    "ast": "instala um transformador de AST do IPython (muda o código de cada célula antes de correr)",
    "entrada": "instala um transformador de texto do IPython (input_transformers_post: reescreve cada célula)",
    "limpeza": "mexe nos transformadores de limpeza do IPython (input_transformers_cleanup)",
    "excecoes": "esconde exceções com set_custom_exc",
    "excepthook": "substitui o sys.excepthook",
    "sem_marca": "apagou o estado que o avaliador guardou no início do kernel",
    "sem_resposta": "não deixou o avaliador inspecionar o kernel no fim (a sonda não respondeu)",
}


def descrever_adulteracao(codigo: str) -> str:
    """O código de um achado da sonda, em pt-PT, para o relatório."""
    codigo = str(codigo)
    if codigo in _ADULTERACOES:
        return _ADULTERACOES[codigo]
    if codigo.startswith("eventos:"):
        return f"regista uma função no evento {codigo.removeprefix('eventos:')} do IPython"
    if codigo.startswith("sombra:"):
        return f"redefine o nome do Python «{codigo.removeprefix('sombra:')}» ao nível do caderno"
    return f"substitui {codigo}"


def _repor(original, depois) -> None:
    """Repõe em ``original`` (um argumento do juiz) o estado que a função do aluno lhe deixou:
    listas, dicionários e arrays mudados no lugar ficam mudados também aqui."""
    import numpy as np

    if isinstance(original, list) and isinstance(depois, list):
        if len(original) == len(depois):
            for i, (a, b) in enumerate(zip(original, depois, strict=True)):
                if isinstance(a, (list, dict, np.ndarray)) or _e_modelo_keras(a) or _e_modulo_torch(a):
                    _repor(a, b)
                else:
                    original[i] = b
        else:
            original[:] = depois
    elif isinstance(original, dict) and isinstance(depois, dict):
        for chave in [k for k in original if k not in depois]:
            del original[chave]
        for chave, valor in depois.items():
            if chave in original and (isinstance(original[chave], (list, dict, np.ndarray))
                                      or _e_modelo_keras(original[chave]) or _e_modulo_torch(original[chave])):
                _repor(original[chave], valor)
            else:
                original[chave] = valor
    elif isinstance(original, np.ndarray) and isinstance(depois, np.ndarray) and original.flags.writeable:
        if original.shape == depois.shape:
            original[...] = depois
    elif _e_modulo_torch(original) and type(original) is type(depois):
        # o estado que a função deixou no módulo (tipos dos submódulos, modo, dtype, pesos)
        original.__dict__.clear()
        original.__dict__.update(depois.__dict__)
    elif _e_modelo_keras(original) and _e_modelo_keras(depois):
        antes, agora = original.get_weights(), depois.get_weights()
        if len(antes) == len(agora) and all(a.shape == b.shape for a, b in zip(antes, agora, strict=True)):
            original.set_weights(agora)


def _e_modulo_torch(valor) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(valor, torch.nn.Module)


def _e_modelo_keras(valor) -> bool:
    import sys

    keras = sys.modules.get("tf_keras")
    return keras is not None and isinstance(valor, keras.Model)


def _ligar(valor, canal, ligados):
    """Troca os ``Remoto`` de uma resposta por ``ObjetoRemoto`` ligados ao canal."""
    if isinstance(valor, mensagens.Remoto):
        return ObjetoRemoto(canal, valor.numero, valor.tipo, ligados)
    if isinstance(valor, list):
        return [_ligar(v, canal, None) for v in valor]
    if isinstance(valor, tuple):
        return tuple(_ligar(v, canal, None) for v in valor)
    if isinstance(valor, dict):
        return {k: _ligar(v, canal, None) for k, v in valor.items()}
    return valor


def _ecoar(saidas: list, dados: dict) -> None:
    """O que a chamada escreveu no ecrã e os avisos que deu, repetidos aqui: um teste que apanha
    o ``print`` (``redirect_stdout``) ou os avisos (``catch_warnings``) de uma função do aluno vê-os.
    Fora de um teste que os apanhe não vão para lado nenhum que conte."""
    if sys.stdout is not sys.__stdout__:
        for s in saidas:
            if s.get("output_type") == "stream" and s.get("name") == "stdout":
                sys.stdout.write(str(s.get("text", ""))[:100_000])
    avisos = dados.get("avisos") if isinstance(dados, dict) else None
    for tipos, mensagem in (avisos if isinstance(avisos, list) else [])[:100]:
        categoria = UserWarning
        for nome in tipos if isinstance(tipos, list) else []:
            candidato = getattr(builtins, str(nome), None)
            if isinstance(candidato, type) and issubclass(candidato, Warning):
                categoria = candidato
                break
        warnings.warn(str(mensagem), categoria, stacklevel=2)


def resposta(saidas: list, args: tuple = (), kwargs: dict | None = None, canal=None, ligados=None) -> object:
    """O valor (ou o erro) da resposta do kernel, a partir das saídas da execução do pedido;
    ``args``/``kwargs`` (os do juiz) recebem as mudanças que a função lhes fez no lugar, e
    ``ligados`` (os argumentos com que o objeto chamado foi criado) o estado deles."""
    from otimizacao.mensagens import MIME, ObservacaoInvalida, de_dados

    respostas = [s for s in saidas if s.get("output_type") in ("display_data", "execute_result")
                 and MIME in s.get("data", {})]
    if not respostas:
        erros = [s for s in saidas if s.get("output_type") == "error"]
        detalhe = f" ({erros[-1].get('ename')}: {str(erros[-1].get('evalue'))[:200]})" if erros else ""
        raise ObservacaoEmFalta("O teu kernel não respondeu a uma chamada do avaliador" + detalhe
                                + ": morreu, esgotou o tempo, ou o caderno mudou a forma como o código corre.")
    dados = respostas[-1]["data"][MIME]
    # O nbclient guarda as saídas como NotebookNode (uma subclasse de dict): de volta a JSON puro,
    # que o de_dados confere com ``type(x) is dict``.
    dados = json.loads(dados if isinstance(dados, str) else json.dumps(dados))
    _ecoar(saidas, dados)
    if isinstance(dados, dict) and isinstance(dados.get("erro"), dict):
        erro = dados["erro"]
        tipos = [str(t) for t in erro.get("tipos", [])][:20] if isinstance(erro.get("tipos"), list) else []
        raise _erro_do_aluno(tipos, str(erro.get("mensagem", ""))[:2000])
    try:
        if not isinstance(dados, dict):
            raise ObservacaoInvalida("formato inválido")
        valor = de_dados(dados["ok"], tensores=_tensores())
        for chave, originais in (("depois", (args, kwargs or {})), ("ligados", ligados)):
            if chave not in dados or originais is None:
                continue
            args_depois, kwargs_depois = de_dados(dados[chave], tensores=_tensores())
            if len(args_depois) == len(originais[0]):
                _repor(list(originais[0]), list(args_depois))
            for nome, original in originais[1].items():
                if nome in kwargs_depois:
                    _repor(original, kwargs_depois[nome])
        if canal is not None:
            espiados = dados.get("espiados")
            canal.espiados = espiados if isinstance(espiados, dict) else {}
        valor = _ligar(valor, canal, (tuple(args), dict(kwargs or {})))
        if isinstance(valor, mensagens.Argumento):  # devolveu o argumento que recebeu
            if not 0 <= valor.i < len(args):
                raise ObservacaoInvalida("argumento inexistente")
            valor = args[valor.i]
        if "contexto" in dados:
            return valor, int(dados["contexto"])
        return valor
    except (ObservacaoInvalida, KeyError, TypeError, ValueError) as erro:
        raise ObservacaoEmFalta(f"A resposta do teu kernel a uma chamada do avaliador não é válida ({erro}).") from None
